package org.openepaccs.metrics;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Measure;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.StringType;
import org.openepaccs.fhir.FhirOperationProvider;

import org.springframework.stereotype.Component;

/**
 * {@code GET /fhir/Measure/{id}/$evaluate-measure?periodStart=&periodEnd=&practice=}: one
 * indicator for a period (default: the last full quarter) and a population (the ICB, or
 * GP practices by ODS code, since an R4 Group cannot hold Organizations as members), as a
 * summary MeasureReport with a stratifier for each breakdown. Who may call it is the
 * access gate's and role rules' business; what it answers holds counts only, after
 * disclosure control.
 */
@Component
class EvaluateMeasureProvider implements FhirOperationProvider {

	static final String OPERATION = "$evaluate-measure";

	private static final int MOST_PRACTICES = 200;

	/** An ODS organisation code: letters and digits, three to ten of them. */
	private static final Pattern ODS_CODE = Pattern.compile("[A-Za-z0-9]{3,10}");

	private final CurrentFacts facts;

	private final IndexedFacts index;

	private final MetricsProperties properties;

	EvaluateMeasureProvider(CurrentFacts facts, IndexedFacts index, MetricsProperties properties) {
		this.facts = facts;
		this.index = index;
		this.properties = properties;
	}

	@Operation(name = OPERATION, type = Measure.class, idempotent = true)
	public MeasureReport evaluate(@IdParam IdType measure,
			@OperationParam(name = "periodStart", max = 1) StringType periodStart,
			@OperationParam(name = "periodEnd", max = 1) StringType periodEnd,
			@OperationParam(name = "reportType", max = 1) StringType reportType,
			@OperationParam(name = "practice", max = OperationParam.MAX_UNLIMITED) List<StringType> practice) {
		Indicator indicator = Indicator.ofMeasure(measure.getIdPart())
			.orElseThrow(() -> new ResourceNotFoundException(new IdType("Measure", measure.getIdPart())));
		if (reportType != null && !"summary".equals(reportType.getValue())) {
			throw new InvalidRequestException("Only reportType summary is offered: reports hold counts, never people");
		}
		ReportingPeriod period = ReportingPeriod.of(value(periodStart), value(periodEnd), MeasureReports.today());
		return report(indicator, period, practices(practice));
	}

	/** The summary report of one indicator, after disclosure control. */
	MeasureReport report(Indicator indicator, ReportingPeriod period, Set<String> practices) {
		Collection<PersonFacts> people = this.facts.people();
		List<Tabulation> tables = Indicators.count(indicator, people, period, practices);
		DisclosureControl control = new DisclosureControl(this.properties);
		tables.forEach(control::apply);
		return MeasureReports.summary(indicator, period, tables, control, listSize(practices, people),
				this.properties.listSizes());
	}

	/**
	 * The registered population the report is of, where every practice in it has a
	 * configured list size: the practices asked for, or without any, every practice of
	 * the people counted.
	 */
	private Long listSize(Set<String> practices, Collection<PersonFacts> people) {
		Set<String> inScope = new HashSet<>(practices);
		if (inScope.isEmpty()) {
			people.forEach((person) -> person.entries
				.forEach((entry) -> inScope.add(String.valueOf(person.practiceOf(entry)))));
		}
		if (inScope.isEmpty() || !this.properties.listSizes().keySet().containsAll(inScope)) {
			return null;
		}
		return inScope.stream().mapToLong((code) -> this.properties.listSizes().get(code)).sum();
	}

	private Set<String> practices(List<StringType> practice) {
		Set<String> codes = new TreeSet<>();
		if (practice != null) {
			for (StringType parameter : practice) {
				for (String code : String.valueOf(parameter.getValue()).split(",")) {
					String trimmed = code.trim().toUpperCase(java.util.Locale.ROOT);
					if (!ODS_CODE.matcher(trimmed).matches()) {
						throw new InvalidRequestException(
								"practice must be a GP practice's ODS code (letters and digits)");
					}
					codes.add(trimmed);
				}
			}
		}
		if (codes.size() > MOST_PRACTICES) {
			throw new InvalidRequestException("At most " + MOST_PRACTICES + " practices per report");
		}
		Set<String> unknown = new TreeSet<>(codes);
		unknown.removeAll(this.index.knownPractices(codes));
		if (!unknown.isEmpty()) {
			throw new InvalidRequestException("No organisation here has the ODS code " + String.join(", ", unknown));
		}
		return codes;
	}

	private static String value(StringType parameter) {
		return (parameter == null || parameter.getValue() == null || parameter.getValue().isBlank()) ? null
				: parameter.getValue();
	}

}
