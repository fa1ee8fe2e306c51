package org.openepaccs.metrics;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.IsoFields;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * The period a report is for, whole days in England, both ends included. Without one, the
 * last full calendar quarter (January–March, April–June, …) before today: the period NHS
 * quarterly statistics use.
 *
 * @param start the first day
 * @param end the last day
 */
record ReportingPeriod(LocalDate start, LocalDate end) {

	/** Further back than any record here; a bound so that the arithmetic stays sane. */
	private static final LocalDate EARLIEST = LocalDate.of(1900, 1, 1);

	static ReportingPeriod lastFullQuarterBefore(LocalDate today) {
		LocalDate thisQuarter = today.with(IsoFields.DAY_OF_QUARTER, 1);
		LocalDate start = thisQuarter.minusMonths(3);
		return new ReportingPeriod(start, thisQuarter.minusDays(1));
	}

	/**
	 * The period the parameters ask for: both, one (the other taken from the default
	 * quarter is not meaningful, so both are needed) or neither.
	 */
	static ReportingPeriod of(String periodStart, String periodEnd, LocalDate today) {
		if (periodStart == null && periodEnd == null) {
			return lastFullQuarterBefore(today);
		}
		if (periodStart == null || periodEnd == null) {
			throw new InvalidRequestException(
					"Give both periodStart and periodEnd, or neither for the last full quarter");
		}
		LocalDate start = date("periodStart", periodStart);
		LocalDate end = date("periodEnd", periodEnd);
		if (end.isBefore(start)) {
			throw new InvalidRequestException("periodEnd (" + end + ") is before periodStart (" + start + ")");
		}
		if (start.isBefore(EARLIEST) || end.isAfter(today.plusYears(1))) {
			throw new InvalidRequestException("The period must lie between " + EARLIEST + " and a year from today");
		}
		return new ReportingPeriod(start, end);
	}

	private static LocalDate date(String name, String value) {
		try {
			return LocalDate.parse(value.trim());
		}
		catch (DateTimeParseException ex) {
			throw new InvalidRequestException(name + " must be a date written YYYY-MM-DD");
		}
	}

	boolean contains(LocalDate day) {
		return day != null && !day.isBefore(this.start) && !day.isAfter(this.end);
	}

}
