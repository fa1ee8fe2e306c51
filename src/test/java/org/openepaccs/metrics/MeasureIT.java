package org.openepaccs.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openepaccs.common.Systems;
import org.openepaccs.testsupport.Conformance;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The indicators over a small population built here, in practices with ODS codes of their
 * own so that no other test's people are counted, for the second quarter of 2025. Every
 * expected number is worked out by hand in the comments:
 * <ul>
 * <li>practice A: 8 people on the register, all with heart failure (ICD-10 I50.0), all
 * with a key worker: 6 adults born 1945 (80), a child of 3 and a child of 10 with a
 * CYPACP; one adult has refused to share her record;</li>
 * <li>practice B: 7 people on the register, no diagnosis recorded;</li>
 * <li>practice C: 10 people on the register with lung cancer (5 in SNOMED CT, 5 in
 * ICD-10);</li>
 * <li>practice D: 10 people on the register since 15 January 2025 who died on 10 May
 * 2025, all wishing to die at home: 8 at home, 2 in hospital after three emergency
 * admissions each in their last 90 days.</li>
 * </ul>
 */
@EpaccsIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MeasureIT {

	private static final String PERIOD = "periodStart=2025-04-01&periodEnd=2025-06-30";

	private static final String MASKED = "masked";

	@LocalServerPort
	int port;

	FhirHttp gp;

	FhirHttp analyst;

	@org.springframework.beans.factory.annotation.Autowired
	QuarterlyReports quarterlyReports;

	String a;

	String b;

	String c;

	String d;

	@BeforeAll
	void aSmallPopulation() {
		this.gp = new FhirHttp(this.port);
		this.analyst = FhirHttp.as(this.port, "icb-analyst");
		String run = String.valueOf(ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999));
		this.a = "A" + run;
		this.b = "B" + run;
		this.c = "C" + run;
		this.d = "D" + run;
		String practiceA = practice(this.a);
		String practiceB = practice(this.b);
		String practiceC = practice(this.c);
		String practiceD = practice(this.d);
		String keyWorker = "Practitioner/"
				+ this.gp
					.post("/fhir/Practitioner",
							FhirHttp.json(new Practitioner()
								.addName(new org.hl7.fhir.r4.model.HumanName().setFamily("Keyworker"))))
					.resource(Practitioner.class)
					.getIdElement()
					.getIdPart();
		Organization custodian = new Organization().setName("Refusal custodian");
		custodian.addIdentifier().setSystem(Systems.ODS).setValue("Y99901");
		String custodianId = "Organization/" + this.gp.post("/fhir/Organization", FhirHttp.json(custodian))
			.resource(Organization.class)
			.getIdElement()
			.getIdPart();

		for (int i = 0; i < 6; i++) {
			person(new Person(practiceA, "female", "1945-03-01").keyWorker(keyWorker)
				.diagnosis("http://hl7.org/fhir/sid/icd-10", "I50.0", "Heart failure")
				.refusedWith((i == 0) ? custodianId : null));
		}
		person(new Person(practiceA, "male", "2022-01-01").keyWorker(keyWorker)
			.diagnosis("http://hl7.org/fhir/sid/icd-10", "I50.0", "Heart failure"));
		person(new Person(practiceA, "male", "2015-01-01").keyWorker(keyWorker)
			.diagnosis("http://hl7.org/fhir/sid/icd-10", "I50.0", "Heart failure")
			.cypacp());
		for (int i = 0; i < 7; i++) {
			person(new Person(practiceB, (i < 4) ? "female" : "male", "1950-06-01"));
		}
		for (int i = 0; i < 10; i++) {
			person(new Person(practiceC, "male", "1940-01-01").diagnosis(
					(i < 5) ? "http://snomed.info/sct" : "http://hl7.org/fhir/sid/icd-10",
					(i < 5) ? "93880001" : "C34.9", "Lung cancer"));
		}
		for (int i = 0; i < 10; i++) {
			String patient = person(new Person(practiceD, "female", "1935-01-01").wantsToDieAtHome()
				.admissions((i < 2) ? List.of("2025-03-01", "2025-04-02", "2025-05-01") : List.of()));
			die(patient, (i < 2) ? "183676005" : "876879006");
		}
	}

	@Test
	void exactlyEightIsShownAsTenAndExactlySevenIsSuppressed() {
		MeasureReport eight = evaluate("epaccs-register-size", "&practice=" + this.a);
		MeasureReport seven = evaluate("epaccs-register-size", "&practice=" + this.b);

		// practice A: 8 on the register (the one who refused to share included); 8 is
		// shown, rounded to the nearest 5
		assertThat(count(group(eight, "on-register").getPopulationFirstRep().getCountElement())).isEqualTo("10");
		// practice B: 7, suppressed
		assertThat(count(group(seven, "on-register").getPopulationFirstRep().getCountElement())).isEqualTo(MASKED);
		// nobody was added in the quarter (all since January)
		assertThat(count(group(eight, "added-to-register").getPopulationFirstRep().getCountElement())).isEqualTo("0");
	}

	@Test
	void aPersonWhoRefusedToShareIsCountedButNotShown() {
		MeasureReport report = evaluate("epaccs-register-size", "&practice=" + this.a);

		// 7 of practice A share their records; the eighth refused. Counted, so 8 → 10:
		// left
		// out, 7 would be suppressed
		assertThat(count(group(report, "on-register").getPopulationFirstRep().getCountElement())).isEqualTo("10");
		// and nothing in the report points at a person
		String json = FhirHttp.json(report);
		assertThat(json).doesNotContain("Patient/").doesNotContain("nhs-number").doesNotContain("\"subject\"");
		assertThat(report.getType()).isEqualTo(MeasureReport.MeasureReportType.SUMMARY);
	}

	@Test
	void aTotalCannotRevealASuppressedPractice() {
		MeasureReport report = evaluate("epaccs-register-size", "&practice=" + this.a + "&practice=" + this.b);
		MeasureReportGroupComponent onRegister = group(report, "on-register");

		// 8 + 7 = 15 shown; B (7) is suppressed, so A (8) is too: 15 − 10 would give B
		// away
		assertThat(count(onRegister.getPopulationFirstRep().getCountElement())).isEqualTo("15");
		assertThat(stratumCount(onRegister, "gp-practice", this.b)).isEqualTo(MASKED);
		assertThat(stratumCount(onRegister, "gp-practice", this.a)).isEqualTo(MASKED);
	}

	@Test
	void childrenAreBandedAndTheirPlansCountedButFewAreSuppressed() {
		MeasureReport register = evaluate("epaccs-register-size", "&practice=" + this.a);
		MeasureReportGroupComponent onRegister = group(register, "on-register");
		// A: one child of 3 (0-4), one of 10 (5-12), six of 80 (75-84): all 1–7,
		// suppressed; the empty bands show 0
		assertThat(stratumCount(onRegister, "age-band", "0-4")).isEqualTo(MASKED);
		assertThat(stratumCount(onRegister, "age-band", "5-12")).isEqualTo(MASKED);
		assertThat(stratumCount(onRegister, "age-band", "75-84")).isEqualTo(MASKED);
		assertThat(stratumCount(onRegister, "age-band", "13-17")).isEqualTo("0");

		// 2 children on the register, 1 with a CYPACP: both suppressed
		MeasureReportGroupComponent cyp = group(evaluate("epaccs-cyp-register", "&practice=" + this.a),
				"cyp-advance-care-plan");
		assertThat(count(population(cyp, "denominator"))).isEqualTo(MASKED);
		assertThat(count(population(cyp, "numerator"))).isEqualTo(MASKED);
		assertThat(score(cyp)).isEqualTo(MASKED);
	}

	@Test
	void diagnosesAreCancerByIcd10ChapterTwoOrTheValueSet() {
		// C: 5 lung cancers in SNOMED CT (93880001) and 5 in ICD-10 (C34.9): 10 cancer
		MeasureReportGroupComponent c = group(evaluate("epaccs-register-size", "&practice=" + this.c), "on-register");
		assertThat(stratumCount(c, "diagnosis-group", "cancer")).isEqualTo("10");
		assertThat(stratumCount(c, "diagnosis-group", "non-cancer")).isEqualTo("0");
		// A: 8 heart failures (ICD-10 I50.0): non-cancer, 8 → 10
		MeasureReportGroupComponent a = group(evaluate("epaccs-register-size", "&practice=" + this.a), "on-register");
		assertThat(stratumCount(a, "diagnosis-group", "non-cancer")).isEqualTo("10");
		assertThat(stratumCount(a, "diagnosis-group", "cancer")).isEqualTo("0");
		// B: none recorded, 7: suppressed
		MeasureReportGroupComponent b = group(evaluate("epaccs-register-size", "&practice=" + this.b), "on-register");
		assertThat(stratumCount(b, "diagnosis-group", "not recorded")).isEqualTo(MASKED);
	}

	@Test
	void aProportionCarriesTheWilsonIntervalOfTheCountsShown() {
		MeasureReport report = evaluate("epaccs-register-care-planning",
				"&practice=" + this.a + "&practice=" + this.b + "&practice=" + this.c);
		MeasureReportGroupComponent keyWorker = group(report, "key-worker");

		// on the register: 8 + 7 + 10 = 25 → 25; with a key worker: A's 8 → 10 (25 − 8 =
		// 17 left out, not small). Score 10/25 = 0.4; Wilson, z = 1.96: (0.4 + 0.076829 ±
		// 1.96·√(0.4·0.6/25 + 3.8415/2500)) / (1 + 3.8415/25) = (0.476829 ± 0.206835) /
		// 1.153658 = 0.2340 to 0.5926
		assertThat(count(population(keyWorker, "denominator"))).isEqualTo("25");
		assertThat(count(population(keyWorker, "numerator"))).isEqualTo("10");
		assertThat(keyWorker.getMeasureScore().getValue().doubleValue()).isEqualTo(0.4);
		Range interval = (Range) keyWorker.getExtensionByUrl(MeasureReports.CONFIDENCE_INTERVAL).getValue();
		assertThat(interval.getLow().getValue().doubleValue()).isCloseTo(0.2340, within(0.00005));
		assertThat(interval.getHigh().getValue().doubleValue()).isCloseTo(0.5926, within(0.00005));
		// the report conforms to R4 and the package's extensions (the server made it, so
		// nothing else checked it), but for one rule of the HL7 validator that disclosure
		// control must break: it asks a proportion's score for a value, and a masked one
		// has none
		Response validated = this.analyst.post("/fhir/MeasureReport/$validate", FhirHttp.json(report));
		assertThat(validated.status()).isEqualTo(200);
		assertThat(validated.outcome().getIssue())
			.filteredOn((issue) -> issue.getSeverity() == org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.ERROR)
			.allSatisfy((issue) -> assertThat(issue.getDiagnostics())
				.isEqualTo("A value is required when the Measure.scoring = proportion"))
			.hasSize((int) report.getGroup().stream().filter((group) -> !group.getMeasureScore().hasValue()).count());
	}

	@Test
	void deathsOnTheRegisterWithTheirMedianDays() {
		MeasureReport report = evaluate("epaccs-deaths-on-register", "&practice=" + this.d);
		MeasureReportGroupComponent died = group(report, "died-on-register");
		Conformance.assertConforms(this.analyst, report);

		// 10 died in the quarter, all on the register: 10 of 10, Wilson (1.19207 ±
		// 0.19207) / 1.38415 = 0.7225 to 1
		assertThat(count(population(died, "denominator"))).isEqualTo("10");
		assertThat(count(population(died, "numerator"))).isEqualTo("10");
		Range interval = (Range) died.getExtensionByUrl(MeasureReports.CONFIDENCE_INTERVAL).getValue();
		assertThat(interval.getLow().getValue().doubleValue()).isCloseTo(0.7225, within(0.00005));
		assertThat(interval.getHigh().getValue().doubleValue()).isEqualTo(1.0);
		// 15 January to 10 May 2025: 16 + 28 + 31 + 30 + 10 = 115 days, for all ten
		Extension median = died.getExtensionByUrl(MeasureReports.MEDIAN_DAYS);
		assertThat(((Quantity) median.getValue()).getValue().doubleValue()).isEqualTo(115.0);
	}

	@Test
	void aNumeratorLeavingFewOutIsSuppressed() {
		// 8 of 10 died at home (usual place of residence) and achieved their preference;
		// showing 8 (→ 10) of 10 would tell of the 2 who did not
		MeasureReportGroupComponent residence = group(evaluate("epaccs-usual-residence-deaths", "&practice=" + this.d),
				"usual-place-of-residence");
		assertThat(count(population(residence, "denominator"))).isEqualTo("10");
		assertThat(count(population(residence, "numerator"))).isEqualTo(MASKED);
		assertThat(score(residence)).isEqualTo(MASKED);
		assertThat(residence.getExtensionByUrl(MeasureReports.CONFIDENCE_INTERVAL)).isNull();

		MeasureReportGroupComponent achieved = group(evaluate("epaccs-preferred-place-achieved", "&practice=" + this.d),
				"preferred-place-achieved");
		assertThat(count(population(achieved, "denominator"))).isEqualTo("10");
		assertThat(count(population(achieved, "numerator"))).isEqualTo(MASKED);

		// 2 of 10 with three emergency admissions in their last 90 days: suppressed
		MeasureReportGroupComponent admissions = group(evaluate("epaccs-emergency-admissions", "&practice=" + this.d),
				"emergency-admissions");
		assertThat(count(population(admissions, "denominator"))).isEqualTo("10");
		assertThat(count(population(admissions, "numerator"))).isEqualTo(MASKED);
	}

	@Test
	void badParametersAreRefusedWithAnOperationOutcome() {
		List<String> queries = List.of("periodStart=2025-06-30&periodEnd=2025-04-01",
				"periodStart=2025-13-01&periodEnd=2025-06-30", "periodStart=yesterday&periodEnd=2025-06-30",
				PERIOD + "&practice=ZZ9999999", PERIOD + "&practice=not%20a%20code",
				PERIOD + "&reportType=subject-list", "periodStart=2025-04-01");
		for (String query : queries) {
			Response response = this.analyst.get("/fhir/Measure/epaccs-register-size/$evaluate-measure?" + query);
			assertThat(response.status()).as(query + " " + response.body()).isEqualTo(400);
			assertThat(response.outcome().getIssueFirstRep().getDiagnostics()).as(query).isNotBlank();
		}
		Response unknown = this.analyst.get("/fhir/Measure/no-such-measure/$evaluate-measure?" + PERIOD);
		assertThat(unknown.status()).isEqualTo(404);
	}

	@Test
	void withoutAPeriodTheLastFullQuarterIsReported() {
		Response response = this.analyst.get("/fhir/Measure/epaccs-register-size/$evaluate-measure");
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		MeasureReport report = response.resource(MeasureReport.class);
		java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/London"));
		java.time.LocalDate quarter = today.withDayOfMonth(1).withMonth(((today.getMonthValue() - 1) / 3) * 3 + 1);
		assertThat(report.getPeriod().getStartElement().getValueAsString())
			.isEqualTo(quarter.minusMonths(3).toString());
		assertThat(report.getPeriod().getEndElement().getValueAsString()).isEqualTo(quarter.minusDays(1).toString());
	}

	@Test
	void aRecordWrittenBetweenTwoReportsCountsInTheSecond() {
		// E, as many practices' ODS codes begin: not a number with an exponent
		String practice = "E" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999);
		String organisation = practice(practice);
		for (int i = 0; i < 8; i++) {
			person(new Person(organisation, "female", "1948-02-01"));
		}
		MeasureReport before = evaluate("epaccs-register-size", "&practice=" + practice);
		// straight after: the facts the first report read are not reused for the second
		for (int i = 0; i < 5; i++) {
			person(new Person(organisation, "male", "1948-02-01"));
		}
		MeasureReport after = evaluate("epaccs-register-size", "&practice=" + practice);

		assertThat(count(group(before, "on-register").getPopulationFirstRep().getCountElement())).isEqualTo("10");
		assertThat(count(group(after, "on-register").getPopulationFirstRep().getCountElement())).isEqualTo("15");
	}

	@Test
	void aRecordChangedBetweenReportsCountsAsItIsNow() {
		String practice = "F" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999);
		String organisation = practice(practice);
		List<String> people = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			people.add(person(new Person(organisation, "female", "1938-02-01")));
		}
		MeasureReport before = evaluate("epaccs-deaths-on-register", "&practice=" + practice);
		// each death changes the person's Patient and adds the place of death
		people.forEach((patient) -> die(patient, "876879006"));
		MeasureReport after = evaluate("epaccs-deaths-on-register", "&practice=" + practice);

		assertThat(count(population(group(before, "died-on-register"), "denominator"))).isEqualTo("0");
		assertThat(count(population(group(after, "died-on-register"), "denominator"))).isEqualTo("10");
		assertThat(count(population(group(after, "died-on-register"), "numerator"))).isEqualTo("10");
	}

	@Test
	void aPracticesNewOdsCodeCountsItsPeopleUnderIt() {
		String oldCode = "G" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999);
		String newCode = "H" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999);
		String organisation = practice(oldCode);
		for (int i = 0; i < 8; i++) {
			person(new Person(organisation, "male", "1950-02-01"));
		}
		MeasureReport before = evaluate("epaccs-register-size", "&practice=" + oldCode);
		Organization renamed = new Organization().setName("Practice " + newCode);
		renamed.setId(organisation);
		renamed.addIdentifier().setSystem(Systems.ODS).setValue(newCode);
		Response updated = this.gp.put("/fhir/" + organisation, FhirHttp.json(renamed));
		assertThat(updated.status()).as(updated.body()).isEqualTo(200);
		MeasureReport after = evaluate("epaccs-register-size", "&practice=" + newCode);

		assertThat(count(group(before, "on-register").getPopulationFirstRep().getCountElement())).isEqualTo("10");
		assertThat(count(group(after, "on-register").getPopulationFirstRep().getCountElement())).isEqualTo("10");
		assertThat(stratumCount(group(after, "on-register"), "gp-practice", newCode)).isEqualTo("10");
	}

	@Test
	void aDeletedRecordLeavesTheCountsWithoutBeingAskedTwice() {
		String practice = "J" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999);
		String organisation = practice(practice);
		List<String> children = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			children.add(person(new Person(organisation, "female", "2014-02-01").cypacp()));
		}
		MeasureReport before = evaluate("epaccs-cyp-register", "&practice=" + practice);
		for (String child : children) {
			for (org.hl7.fhir.r4.model.Bundle.BundleEntryComponent plan : this.gp.get("/fhir/CarePlan?subject=" + child)
				.resource(org.hl7.fhir.r4.model.Bundle.class)
				.getEntry()) {
				Response deleted = this.gp.send("DELETE",
						"/fhir/CarePlan/" + plan.getResource().getIdElement().getIdPart(), null);
				assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
			}
		}

		assertThat(count(population(group(before, "cyp-advance-care-plan"), "numerator"))).isEqualTo("10");
		// a deletion no longer names its person: the facts are read again in full
		org.awaitility.Awaitility.await("the deleted plans no longer counted")
			.atMost(java.time.Duration.ofSeconds(30))
			.until(() -> count(
					population(group(evaluate("epaccs-cyp-register", "&practice=" + practice), "cyp-advance-care-plan"),
							"numerator")),
					"0"::equals);
	}

	@Test
	void theLastFullQuarterIsStoredOnceAndSearchableByPeriod() {
		java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/London"));
		java.time.LocalDate quarter = today.withDayOfMonth(1).withMonth(((today.getMonthValue() - 1) / 3) * 3 + 1);
		String start = quarter.minusMonths(3).toString();
		String end = quarter.minusDays(1).toString();
		String search = "/fhir/MeasureReport?period=ge" + start + "&period=le" + end + "&_count=50";

		org.awaitility.Awaitility.await("the quarter's reports stored")
			.atMost(java.time.Duration.ofSeconds(90))
			.until(() -> stored(search).size() == 7);
		this.quarterlyReports.storeTheLastFullQuarter();

		List<MeasureReport> reports = stored(search);
		assertThat(reports).hasSize(7).allSatisfy((report) -> {
			assertThat(report.getStatus()).isEqualTo(MeasureReport.MeasureReportStatus.COMPLETE);
			assertThat(report.getType()).isEqualTo(MeasureReport.MeasureReportType.SUMMARY);
			assertThat(report.getPeriod().getStartElement().getValueAsString()).isEqualTo(start);
			assertThat(report.getPeriod().getEndElement().getValueAsString()).isEqualTo(end);
			assertThat(report.getSubject().isEmpty()).as("a report of nobody in particular").isTrue();
		});
		assertThat(reports.stream().map(MeasureReport::getMeasure)).containsExactlyInAnyOrder(
				"https://fhir.openepaccs.org/Measure/epaccs-register-size",
				"https://fhir.openepaccs.org/Measure/epaccs-deaths-on-register",
				"https://fhir.openepaccs.org/Measure/epaccs-register-care-planning",
				"https://fhir.openepaccs.org/Measure/epaccs-preferred-place-achieved",
				"https://fhir.openepaccs.org/Measure/epaccs-usual-residence-deaths",
				"https://fhir.openepaccs.org/Measure/epaccs-cyp-register",
				"https://fhir.openepaccs.org/Measure/epaccs-emergency-admissions");
		// another quarter: none
		assertThat(stored("/fhir/MeasureReport?period=ge2024-01-01&period=le2024-03-31")).isEmpty();
		// only the analyst's role reads them, and nobody writes them through the API
		assertThat(FhirHttp.as(this.port, "community-nurse").get(search).status()).isEqualTo(403);
		assertThat(
				this.analyst.post("/fhir/MeasureReport", FhirHttp.json(reports.get(0).setId((String) null))).status())
			.isEqualTo(403);
	}

	private List<MeasureReport> stored(String search) {
		Response response = this.analyst.get(search);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.resource(org.hl7.fhir.r4.model.Bundle.class)
			.getEntry()
			.stream()
			.map((entry) -> (MeasureReport) entry.getResource())
			.toList();
	}

	// --- building the population

	private String practice(String ods) {
		Organization practice = new Organization().setName("Practice " + ods);
		practice.addIdentifier().setSystem(Systems.ODS).setValue(ods);
		return "Organization/" + this.gp.post("/fhir/Organization", FhirHttp.json(practice))
			.resource(Organization.class)
			.getIdElement()
			.getIdPart();
	}

	/** Writes the person's record in one transaction; answers their Patient reference. */
	private String person(Person person) {
		Response written = this.gp.post("/fhir", person.transaction());
		assertThat(written.status()).as(written.body()).isEqualTo(200);
		org.hl7.fhir.r4.model.Bundle answer = written.resource(org.hl7.fhir.r4.model.Bundle.class);
		return answer.getEntry()
			.stream()
			.map((entry) -> entry.getResponse().getLocation())
			.filter((location) -> location.startsWith("Patient/"))
			.map((location) -> location.replaceFirst("/_history/.*", ""))
			.findFirst()
			.orElseThrow();
	}

	private void die(String patient, String place) {
		org.hl7.fhir.r4.model.Patient person = this.gp.get("/fhir/" + patient)
			.resource(org.hl7.fhir.r4.model.Patient.class);
		person.getMeta().setVersionId(null);
		person.setDeceased(new org.hl7.fhir.r4.model.DateTimeType("2025-05-10T10:00:00+01:00"));
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
				+ FhirHttp.json(person) + ",\"request\":{\"method\":\"PUT\",\"url\":\"" + patient + "\"}},"
				+ "{\"resource\":{\"resourceType\":\"Observation\",\"meta\":{\"profile\":[\"https://fhir.openepaccs.org/"
				+ "StructureDefinition/epaccs-actual-place-of-death\"]},\"status\":\"final\",\"code\":{\"coding\":[{"
				+ "\"system\":\"http://snomed.info/sct\",\"code\":\"" + place + "\"}],\"text\":\"Place of death\"},"
				+ "\"subject\":{\"reference\":\"" + patient + "\"},\"effectiveDateTime\":\"2025-05-10T10:00:00+01:00\""
				+ "},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";
		Response recorded = this.gp.post("/fhir", transaction);
		assertThat(recorded.status()).as(recorded.body()).isEqualTo(200);
	}

	private MeasureReport evaluate(String measure, String query) {
		Response response = this.analyst.get("/fhir/Measure/" + measure + "/$evaluate-measure?" + PERIOD + query);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.resource(MeasureReport.class);
	}

	private static MeasureReportGroupComponent group(MeasureReport report, String code) {
		return report.getGroup()
			.stream()
			.filter((group) -> group.getCode().hasCoding(MeasureReports.MEASURE_CODES, code))
			.findFirst()
			.orElseThrow();
	}

	private static IntegerType population(MeasureReportGroupComponent group, String code) {
		return group.getPopulation()
			.stream()
			.filter((population) -> population.getCode().hasCoding(MeasureReports.POPULATION_CODES, code))
			.findFirst()
			.orElseThrow()
			.getCountElement();
	}

	private static String stratumCount(MeasureReportGroupComponent group, String stratifier, String value) {
		StratifierGroupComponent stratum = group.getStratifier()
			.stream()
			.filter((s) -> s.getCodeFirstRep().hasCoding(MeasureReports.MEASURE_CODES, stratifier))
			.flatMap((s) -> s.getStratum().stream())
			.filter((s) -> value.equals(s.getValue().getText()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no stratum " + value + " of " + stratifier));
		return count(stratum.getPopulationFirstRep().getCountElement());
	}

	/** The score shown, or "masked" where it is withheld. */
	private static String score(MeasureReportGroupComponent group) {
		Quantity score = group.getMeasureScore();
		if (score.hasValue()) {
			return score.getValue().toPlainString();
		}
		Extension reason = score.getExtensionByUrl(MeasureReports.DATA_ABSENT_REASON);
		return (reason != null) ? reason.getValue().primitiveValue() : "nothing";
	}

	/** The count shown, or "masked" where it is suppressed. */
	private static String count(IntegerType count) {
		if (count.hasValue()) {
			return count.getValueAsString();
		}
		Extension reason = count.getExtensionByUrl(MeasureReports.DATA_ABSENT_REASON);
		return (reason != null) ? reason.getValue().primitiveValue() : "nothing";
	}

	/** One person's record, as a transaction. */
	private static final class Person {

		private final String practice;

		private final String gender;

		private final String birthDate;

		private String keyWorker;

		private String[] diagnosis;

		private String custodian;

		private boolean cypacp;

		private boolean wantsHome;

		private List<String> admissions = List.of();

		Person(String practice, String gender, String birthDate) {
			this.practice = practice;
			this.gender = gender;
			this.birthDate = birthDate;
		}

		Person keyWorker(String practitioner) {
			this.keyWorker = practitioner;
			return this;
		}

		Person diagnosis(String system, String code, String text) {
			this.diagnosis = new String[] { system, code, text };
			return this;
		}

		Person refusedWith(String custodian) {
			this.custodian = custodian;
			return this;
		}

		Person cypacp() {
			this.cypacp = true;
			return this;
		}

		Person wantsToDieAtHome() {
			this.wantsHome = true;
			return this;
		}

		Person admissions(List<String> days) {
			this.admissions = days;
			return this;
		}

		String transaction() {
			String patient = "urn:uuid:" + UUID.randomUUID();
			String condition = "urn:uuid:" + UUID.randomUUID();
			List<String> entries = new ArrayList<>();
			entries.add(entry(patient, "Patient",
					"{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
							+ "\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"" + TestNhsNumbers.unused() + "\"}],"
							+ "\"gender\":\"" + this.gender + "\",\"birthDate\":\"" + this.birthDate + "\","
							+ "\"generalPractitioner\":[{\"reference\":\"" + this.practice + "\"}]}"));
			if (this.diagnosis != null) {
				entries.add(entry(condition, "Condition",
						"{\"resourceType\":\"Condition\",\"meta\":{\"profile\":["
								+ "\"https://fhir.openepaccs.org/StructureDefinition/epaccs-palliative-diagnosis\"]},"
								+ "\"code\":{\"coding\":[{\"system\":\"" + this.diagnosis[0] + "\",\"code\":\""
								+ this.diagnosis[1] + "\"}],\"text\":\"" + this.diagnosis[2]
								+ "\"},\"subject\":{\"reference\":\"" + patient + "\"}}"));
			}
			entries.add(entry("urn:uuid:" + UUID.randomUUID(), "EpisodeOfCare",
					"{\"resourceType\":\"EpisodeOfCare\",\"status\":\"active\",\"type\":[{\"coding\":[{\"system\":"
							+ "\"http://snomed.info/sct\",\"code\":\"103735009\"}]}],\"patient\":{\"reference\":\""
							+ patient + "\"},\"managingOrganization\":{\"reference\":\"" + this.practice + "\"},"
							+ "\"period\":{\"start\":\"2025-01-15\"}"
							+ ((this.keyWorker != null) ? ",\"careManager\":{\"reference\":\"" + this.keyWorker + "\"}"
									: "")
							+ ((this.diagnosis != null) ? ",\"diagnosis\":[{\"condition\":{\"reference\":\"" + condition
									+ "\"},\"rank\":1}]" : "")
							+ "}"));
			if (this.cypacp) {
				entries.add(entry("urn:uuid:" + UUID.randomUUID(), "CarePlan",
						"{\"resourceType\":\"CarePlan\",\"status\":\"active\",\"intent\":\"plan\",\"category\":[{\"coding\":[{"
								+ "\"system\":\"https://fhir.openepaccs.org/CodeSystem/epaccs-plan-type\",\"code\":"
								+ "\"cypacp-without-respect\"}]}],\"subject\":{\"reference\":\"" + patient + "\"}}"));
			}
			if (this.wantsHome) {
				entries.add(entry("urn:uuid:" + UUID.randomUUID(), "Observation", "{\"resourceType\":\"Observation\","
						+ "\"extension\":[{\"url\":\"https://fhir.openepaccs.org/StructureDefinition/epaccs-preference-rank\","
						+ "\"valuePositiveInt\":1}],\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
						+ "\"http://snomed.info/sct\",\"code\":\"110481000000108\"}],\"text\":\"Preferred place of death\"},"
						+ "\"subject\":{\"reference\":\"" + patient + "\"},\"effectiveDateTime\":\"2025-02-01\"}"));
			}
			for (String day : this.admissions) {
				entries.add(entry("urn:uuid:" + UUID.randomUUID(), "Encounter", "{\"resourceType\":\"Encounter\","
						+ "\"meta\":{\"profile\":[\"https://fhir.openepaccs.org/StructureDefinition/epaccs-emergency-admission\"]},"
						+ "\"status\":\"finished\",\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
						+ "\"code\":\"IMP\"},\"priority\":{\"coding\":[{\"system\":"
						+ "\"http://terminology.hl7.org/CodeSystem/v3-ActPriority\",\"code\":\"EM\"}]},\"subject\":{"
						+ "\"reference\":\"" + patient + "\"},\"period\":{\"start\":\"" + day + "T12:00:00+01:00\"}}"));
			}
			if (this.custodian != null) {
				entries.add(entry("urn:uuid:" + UUID.randomUUID(), "Consent", "{\"resourceType\":\"Consent\","
						+ "\"status\":\"active\",\"scope\":{\"coding\":[{\"system\":"
						+ "\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
						+ "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
						+ "\"code\":\"IDSCL\"}]}],\"patient\":{\"reference\":\"" + patient + "\"},"
						+ "\"dateTime\":\"2025-02-01T10:00:00Z\",\"performer\":[{\"reference\":\"" + patient + "\"}],"
						+ "\"organization\":[{\"reference\":\"" + this.custodian + "\"}],\"policy\":[{\"uri\":"
						+ "\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}"));
			}
			return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + String.join(",", entries)
					+ "]}";
		}

		private static String entry(String fullUrl, String type, String resource) {
			return "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":" + resource + ",\"request\":{\"method\":\"POST\","
					+ "\"url\":\"" + type + "\"}}";
		}

	}

}
