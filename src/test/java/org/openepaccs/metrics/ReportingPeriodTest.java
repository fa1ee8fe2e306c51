package org.openepaccs.metrics;

import java.time.LocalDate;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportingPeriodTest {

	@ParameterizedTest
	@CsvSource({ "2026-12-06, 2026-07-01, 2026-09-30", "2026-01-01, 2025-10-01, 2025-12-31",
			"2026-03-31, 2025-10-01, 2025-12-31", "2026-04-01, 2026-01-01, 2026-03-31" })
	void withoutAPeriodIsTheLastFullQuarter(LocalDate today, LocalDate start, LocalDate end) {
		assertThat(ReportingPeriod.of(null, null, today)).isEqualTo(new ReportingPeriod(start, end));
	}

	@Test
	void takesBothEndsAsWholeDays() {
		ReportingPeriod period = ReportingPeriod.of("2026-01-01", "2026-01-01", LocalDate.of(2026, 12, 6));

		assertThat(period.contains(LocalDate.of(2026, 1, 1))).isTrue();
		assertThat(period.contains(LocalDate.of(2026, 1, 2))).isFalse();
	}

	@Test
	void refusesAPeriodEndingBeforeItStarts() {
		assertThatThrownBy(() -> ReportingPeriod.of("2026-06-30", "2026-04-01", LocalDate.of(2026, 12, 6)))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("before periodStart");
	}

	@ParameterizedTest
	@CsvSource({ "2026-13-01", "2026-02-30", "yesterday", "01/04/2026", "2026-04" })
	void refusesAMalformedDate(String start) {
		assertThatThrownBy(() -> ReportingPeriod.of(start, "2026-06-30", LocalDate.of(2026, 12, 6)))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("YYYY-MM-DD");
	}

	@Test
	void needsBothEndsOrNeither() {
		assertThatThrownBy(() -> ReportingPeriod.of("2026-04-01", null, LocalDate.of(2026, 12, 6)))
			.isInstanceOf(InvalidRequestException.class);
	}

}
