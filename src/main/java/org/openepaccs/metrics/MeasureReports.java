package org.openepaccs.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupPopulationComponent;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupPopulationComponent;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;

/**
 * The summary MeasureReport of one indicator, from its disclosure-controlled counts: a
 * suppressed count has no value but the data-absent-reason {@code masked}; a proportion
 * is shown with its 95% Wilson interval only where both its counts are shown, and is
 * computed from the rounded counts, so that no score reveals more than the counts do.
 */
final class MeasureReports {

	static final String MEASURE_CODES = org.openepaccs.conformance.ConformancePackage.CANONICAL_BASE
			+ "/CodeSystem/epaccs-measure";

	static final String POPULATION_CODES = "http://terminology.hl7.org/CodeSystem/measure-population";

	static final String CONFIDENCE_INTERVAL = org.openepaccs.conformance.ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-confidence-interval";

	static final String MEDIAN_DAYS = org.openepaccs.conformance.ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-median-days";

	static final String DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

	private static final ZoneId ENGLAND = ZoneId.of("Europe/London");

	private MeasureReports() {
	}

	/**
	 * @param listSize the registered population the counts are of, where known (for a
	 * rate per 1,000), and of each practice
	 */
	static MeasureReport summary(Indicator indicator, ReportingPeriod period, List<Tabulation> tables,
			DisclosureControl control, Long listSize, Map<String, Integer> practiceListSizes) {
		MeasureReport report = new MeasureReport();
		report.setStatus(MeasureReport.MeasureReportStatus.COMPLETE)
			.setType(MeasureReport.MeasureReportType.SUMMARY)
			.setMeasure(indicator.measureUrl())
			.setDate(new Date())
			.setPeriod(new Period().setStartElement(new DateTimeType(period.start().toString()))
				.setEndElement(new DateTimeType(period.end().toString())));
		for (Tabulation table : tables) {
			MeasureReportGroupComponent group = report.addGroup();
			group.setCode(code(table.group));
			for (String population : table.populations) {
				count(group.addPopulation().setCode(populationCode(population)).getCountElement(),
						table.total.cell(population));
			}
			score(table, table.total, group, indicator, listSize);
			for (Map.Entry<Stratifier, Map<String, Tabulation.Row>> stratifier : table.strata.entrySet()) {
				MeasureReport.MeasureReportGroupStratifierComponent shown = group.addStratifier();
				shown.addCode(code(stratifier.getKey().code()));
				for (Map.Entry<String, Tabulation.Row> stratum : stratifier.getValue().entrySet()) {
					StratifierGroupComponent row = shown.addStratum()
						.setValue(stratumValue(stratifier.getKey(), stratum.getKey()));
					for (String population : table.populations) {
						StratifierGroupPopulationComponent cell = row.addPopulation()
							.setCode(populationCode(population));
						count(cell.getCountElement(), stratum.getValue().cell(population));
					}
					Long practiceSize = (stratifier.getKey() == Stratifier.GP_PRACTICE && practiceListSizes != null
							&& practiceListSizes.containsKey(stratum.getKey()))
									? Long.valueOf(practiceListSizes.get(stratum.getKey())) : null;
					score(table, stratum.getValue(), row, indicator, practiceSize, control);
				}
			}
			medianOf(control, table.total, group);
		}
		return report;
	}

	private static void score(Tabulation table, Tabulation.Row row, MeasureReportGroupComponent group,
			Indicator indicator, Long listSize) {
		Quantity score = score(table, row, listSize);
		if (score != null) {
			group.setMeasureScore(score);
			interval(table, row).ifPresent((range) -> group.addExtension(CONFIDENCE_INTERVAL, range));
		}
		else if (table.populations.size() > 1) {
			group.setMeasureScore(withheld());
		}
	}

	private static void score(Tabulation table, Tabulation.Row row, StratifierGroupComponent stratum,
			Indicator indicator, Long listSize, DisclosureControl control) {
		Quantity score = score(table, row, listSize);
		if (score != null) {
			stratum.setMeasureScore(score);
			interval(table, row).ifPresent((range) -> stratum.addExtension(CONFIDENCE_INTERVAL, range));
		}
		else if (table.populations.size() > 1) {
			stratum.setMeasureScore(withheld());
		}
		Tabulation.Cell withDays = row.cell(table.populations.get(table.populations.size() - 1));
		Double median = control.median(withDays);
		if (median != null) {
			stratum.addExtension(MEDIAN_DAYS, days(median));
		}
	}

	private static void medianOf(DisclosureControl control, Tabulation.Row total, MeasureReportGroupComponent group) {
		Tabulation.Cell withDays = total.cells.values().stream().reduce((first, second) -> second).orElseThrow();
		Double median = control.median(withDays);
		if (median != null) {
			group.addExtension(MEDIAN_DAYS, days(median));
		}
	}

	/**
	 * A proportion from the shown counts, or for a cohort the rate per 1,000 registered
	 * population where the list size is known; null where nothing can be shown.
	 */
	static Quantity score(Tabulation table, Tabulation.Row row, Long listSize) {
		if (table.populations.size() == 1) {
			Long shown = row.cell(Tabulation.INITIAL_POPULATION).shown;
			if (shown == null || listSize == null || listSize <= 0) {
				return null;
			}
			return new Quantity()
				.setValue(BigDecimal.valueOf(shown * 1000.0 / listSize).setScale(2, RoundingMode.HALF_UP))
				.setUnit("per 1,000 registered population");
		}
		Long denominator = row.cell(Tabulation.DENOMINATOR).shown;
		Long numerator = row.cell(Tabulation.NUMERATOR).shown;
		if (denominator == null || numerator == null || denominator == 0) {
			return null;
		}
		return new Quantity().setValue(proportion((double) numerator / denominator));
	}

	static java.util.Optional<Range> interval(Tabulation table, Tabulation.Row row) {
		if (table.populations.size() == 1) {
			return java.util.Optional.empty();
		}
		Long denominator = row.cell(Tabulation.DENOMINATOR).shown;
		Long numerator = row.cell(Tabulation.NUMERATOR).shown;
		if (denominator == null || numerator == null || denominator == 0) {
			return java.util.Optional.empty();
		}
		WilsonInterval interval = WilsonInterval.of(numerator, denominator);
		return java.util.Optional.of(new Range().setLow(new Quantity().setValue(proportion(interval.low())))
			.setHigh(new Quantity().setValue(proportion(interval.high()))));
	}

	/**
	 * A proportion's score that cannot be shown (a count is suppressed, or nobody is in
	 * the denominator): R4 asks a proportion group for a score, so it is there, without a
	 * value and with the reason.
	 */
	private static Quantity withheld() {
		Quantity score = new Quantity();
		score.addExtension(DATA_ABSENT_REASON, new CodeType("masked"));
		return score;
	}

	private static BigDecimal proportion(double value) {
		return BigDecimal.valueOf(value).setScale(4, RoundingMode.HALF_UP);
	}

	private static Quantity days(double median) {
		return new Quantity().setValue(BigDecimal.valueOf(median))
			.setUnit("d")
			.setSystem("http://unitsofmeasure.org")
			.setCode("d");
	}

	private static void count(org.hl7.fhir.r4.model.IntegerType count, Tabulation.Cell cell) {
		if (cell.shown == null) {
			count.addExtension(DATA_ABSENT_REASON, new CodeType("masked"));
		}
		else {
			count.setValue(Math.toIntExact(cell.shown));
		}
	}

	private static CodeableConcept code(String code) {
		return new CodeableConcept().addCoding(new Coding(MEASURE_CODES, code, null));
	}

	private static CodeableConcept populationCode(String code) {
		return new CodeableConcept().addCoding(new Coding(POPULATION_CODES, code, null));
	}

	/** Sex as its administrative-gender code; every other stratum as text. */
	private static CodeableConcept stratumValue(Stratifier stratifier, String value) {
		if (stratifier == Stratifier.SEX && !Stratifier.NOT_RECORDED.equals(value)) {
			return new CodeableConcept().addCoding(new Coding(IndexedFacts.GENDER, value, null)).setText(value);
		}
		return new CodeableConcept().setText(value);
	}

	static LocalDate today() {
		return LocalDate.now(ENGLAND);
	}

}
