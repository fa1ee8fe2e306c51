package org.openepaccs.metrics;

/**
 * The 95% Wilson score interval of a proportion, as official public health profiles
 * publish it (Fingertips: Newcombe's method 3 without continuity correction). It stays
 * within 0 and 1 and is sensible for small counts and for proportions near 0 or 1, where
 * the usual normal approximation is not.
 *
 * @param low the lower limit, a proportion
 * @param high the upper limit, a proportion
 */
record WilsonInterval(double low, double high) {

	/** The 97.5th percentile of the standard normal distribution. */
	static final double Z = 1.959963984540054;

	/** The interval of {@code successes} out of {@code trials} (trials above 0). */
	static WilsonInterval of(long successes, long trials) {
		if (trials <= 0 || successes < 0 || successes > trials) {
			throw new IllegalArgumentException("need 0 <= successes <= trials and trials > 0");
		}
		double p = (double) successes / trials;
		double z2 = Z * Z;
		double centre = 2 * successes + z2;
		double spread = Z * Math.sqrt(z2 + 4 * successes * (1 - p));
		double denominator = 2 * (trials + z2);
		return new WilsonInterval(Math.max(0, (centre - spread) / denominator),
				Math.min(1, (centre + spread) / denominator));
	}

}
