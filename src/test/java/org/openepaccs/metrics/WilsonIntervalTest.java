package org.openepaccs.metrics;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WilsonIntervalTest {

	/**
	 * Expected limits worked out by hand from (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 +
	 * z²/n) with z = 1.96, e.g. 10 of 20: p = 0.5, z²/n = 0.19207, so (0.5 + 0.09604 ±
	 * 1.96 × √(0.0125 + 0.00240)) / 1.19207 = (0.59604 ± 0.23923) / 1.19207 = 0.2993 and
	 * 0.7007.
	 */
	@ParameterizedTest
	@CsvSource({ "10, 20, 0.2993, 0.7007", "0, 10, 0.0, 0.2775", "10, 10, 0.7225, 1.0", "15, 40, 0.2422, 0.5297",
			"35, 40, 0.7389, 0.9454" })
	void matchesTheLimitsWorkedOutByHand(long successes, long trials, double low, double high) {
		WilsonInterval interval = WilsonInterval.of(successes, trials);

		assertThat(interval.low()).isCloseTo(low, within(0.00005));
		assertThat(interval.high()).isCloseTo(high, within(0.00005));
	}

}
