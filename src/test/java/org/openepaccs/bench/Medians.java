package org.openepaccs.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The median of a few runs, and the median with the lowest and highest, for the tables.
 */
final class Medians {

	private Medians() {
	}

	static double of(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	static double of(List<Double> values) {
		return of(values.stream().mapToDouble(Double::doubleValue).toArray());
	}

	/** "median (lowest–highest)", one decimal. */
	static String spread(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", of(values), sorted[0], sorted[sorted.length - 1]);
	}

}
