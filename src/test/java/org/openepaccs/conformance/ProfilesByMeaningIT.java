package org.openepaccs.conformance;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a GP system's ordinary records are checked against: our profiles only where the
 * record is EPaCCS content, base FHIR R4 otherwise; a UK Core profile the server does not
 * hold is a warning; and a refused transaction names every failing entry.
 */
@EpaccsIntegrationTest
class ProfilesByMeaningIT {

	private static final String UK_CORE_CARE_PLAN = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-CarePlan";

	@LocalServerPort
	int port;

	FhirHttp http;

	String patient;

	@BeforeEach
	void person() {
		this.http = new FhirHttp(this.port);
		Patient person = new Patient();
		person.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(TestNhsNumbers.unused());
		person.addName().setFamily("Meaning");
		this.patient = "Patient/" + this.http.post("/fhir/Patient", FhirHttp.json(person))
			.resource(Patient.class)
			.getIdElement()
			.getIdPart();
	}

	@Test
	void anAsthmaPlanDeclaringUkCoreIsStoredWithAWarningNamingTheProfileItWasNotCheckedAgainst() {
		Response stored = this.http.post("/fhir/CarePlan", carePlan("\"text\":\"Asthma action plan\"", "plan"));

		assertThat(stored.status()).as(stored.body()).isEqualTo(201);
		OperationOutcome warnings = (OperationOutcome) FhirContext.forR4Cached()
			.newJsonParser()
			.parseResource(stored.header(WriteWarnings.HEADER));
		assertThat(warnings.getIssue()).singleElement().satisfies((issue) -> {
			assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.WARNING);
			assertThat(issue.getDiagnostics()).contains("Unknown profile " + UK_CORE_CARE_PLAN)
				.contains("checked against base FHIR R4");
		});
	}

	@Test
	void aPlanThatIsNotEpaccsContentIsStillHeldToBaseFhir() {
		String endsBeforeItStarts = carePlan("\"text\":\"Asthma action plan\"", "plan").replace("\"status\"",
				"\"period\":{\"start\":\"2026-12-01\",\"end\":\"2026-01-01\"},\"status\"");

		Response refused = this.http.post("/fhir/CarePlan", endsBeforeItStarts);

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.outcome().getIssue()).anySatisfy((issue) -> {
			assertThat(issue.getDiagnostics()).contains("per-1").contains("checked against base FHIR R4 CarePlan only");
			assertThat(issue.getExpression()).hasToString("[CarePlan.period]");
		});
	}

	@Test
	void aPatchWhoseResultBreaksBaseFhirIsRefusedAsAPutOfTheSameContentWouldBe() {
		String carePlan = storedAsthmaPlan();
		String endsBeforeItStarts = """
				{"resourceType":"Parameters","parameter":[{"name":"operation","part":[
				 {"name":"type","valueCode":"add"},{"name":"path","valueString":"CarePlan"},
				 {"name":"name","valueString":"period"},
				 {"name":"value","valuePeriod":{"start":"2026-12-01","end":"2026-01-01"}}]}]}""";

		Response refused = this.http.send("PATCH", "/fhir/" + carePlan, endsBeforeItStarts, "Content-Type",
				FhirHttp.FHIR_JSON);

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.outcome().getIssue()).anySatisfy((issue) -> {
			assertThat(issue.getDiagnostics()).contains("per-1");
			assertThat(issue.getExpression()).hasToString("[CarePlan.period]");
		});
		assertNothingStored(carePlan);
	}

	@Test
	void aJsonPatchEntryWhoseResultBreaksBaseFhirRefusesTheTransactionNamingTheEntry() {
		String carePlan = storedAsthmaPlan();
		String bundle = """
				{"resourceType":"Bundle","type":"transaction","entry":[
				 {"fullUrl":"urn:uuid:5d1e0c4a-0000-4000-8000-000000000001","resource":%s,
				  "request":{"method":"POST","url":"CarePlan"}},
				 {"fullUrl":"%s","resource":{"resourceType":"Binary","contentType":"application/json-patch+json",
				   "data":"%s"},
				  "request":{"method":"PATCH","url":"%s"}}]}"""
			.formatted(carePlan("\"text\":\"Asthma action plan\"", "plan"), carePlan, Base64.getEncoder()
				.encodeToString(
						"[{\"op\":\"add\",\"path\":\"/period\",\"value\":{\"start\":\"2026-12-01\",\"end\":\"2026-01-01\"}}]"
							.getBytes(StandardCharsets.UTF_8)),
					carePlan);

		Response refused = this.http.post("/fhir", bundle);

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.diagnostics()).startsWith("Entry 1 (" + carePlan + ", PATCH " + carePlan + "): ")
			.contains("per-1");
		assertNothingStored(carePlan);
	}

	private String storedAsthmaPlan() {
		Response stored = this.http.post("/fhir/CarePlan", carePlan("\"text\":\"Asthma action plan\"", "plan"));
		assertThat(stored.status()).as(stored.body()).isEqualTo(201);
		return "CarePlan/" + stored.resource(CarePlan.class).getIdElement().getIdPart();
	}

	private void assertNothingStored(String carePlan) {
		CarePlan now = this.http.get("/fhir/" + carePlan).resource(CarePlan.class);
		assertThat(now.hasPeriod()).as("nothing of the refused patch stored").isFalse();
		assertThat(now.getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void anEndOfLifePlanDeclaringOnlyUkCoreIsHeldToOurProfileAndToldWhy() {
		Response refused = this.http.post("/fhir/CarePlan",
				carePlan("\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"736373009\"}]", "proposal"));

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.outcome().getIssue()).anySatisfy((issue) -> {
			assertThat(issue.getDiagnostics()).contains("epaccs-advance-care-plan applies by default: "
					+ "CarePlan.category holds http://snomed.info/sct|736373009, a code of epaccs-plan-type");
			assertThat(issue.getExpression()).hasToString("[CarePlan.intent]");
		});
	}

	@Test
	void aMisspeltProfileOfOursIsRefusedRatherThanStandingInForTheRightOne() {
		String misspelt = carePlan("\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"736373009\"}]",
				"plan")
			.replace(UK_CORE_CARE_PLAN, "https://fhir.openepaccs.org/StructureDefinition/epaccs-advance-care-plna");

		Response refused = this.http.post("/fhir/CarePlan", misspelt);

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.diagnostics())
			.contains("Unknown profile https://fhir.openepaccs.org/StructureDefinition/epaccs-advance-care-plna: this "
					+ "server's package has no such profile");
	}

	@Test
	void aBatchAnswersEachEntryOnItsOwn() {
		String bundle = """
				{"resourceType":"Bundle","type":"batch","entry":[
				 {"resource":%s,"request":{"method":"POST","url":"CarePlan"}},
				 {"resource":%s,"request":{"method":"POST","url":"CarePlan"}}
				]}""".formatted(carePlan("\"text\":\"Asthma action plan\"", "plan"),
				carePlan("\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"736373009\"}]", "proposal"));

		Response answer = this.http.post("/fhir", bundle);

		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		List<Bundle.BundleEntryComponent> entries = answer.resource(Bundle.class).getEntry();
		assertThat(entries.get(0).getResponse().getStatus()).startsWith("201");
		assertThat(entries.get(1).getResponse().getStatus()).startsWith("422");
		OperationOutcome refusal = (OperationOutcome) entries.get(1).getResponse().getOutcome();
		assertThat(refusal.getIssue()).as("HAPI keeps only the text of a batch entry's refusal, so it names where")
			.anySatisfy((issue) -> assertThat(issue.getDiagnostics()).startsWith("CarePlan.intent: ")
				.contains("epaccs-advance-care-plan applies by default"));
	}

	@Test
	void aTransactionWithThreeBadEntriesNamesAllThreeAndStoresNothing() {
		String family = "Transaction" + System.nanoTime();
		String bundle = """
				{"resourceType":"Bundle","type":"transaction","entry":[
				 {"fullUrl":"urn:uuid:0a8b1c2d-0000-4000-8000-000000000001",
				  "resource":{"resourceType":"Patient","name":[{"family":"%s"}],
				   "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"%s"}]},
				  "request":{"method":"POST","url":"Patient"}},
				 {"fullUrl":"urn:uuid:0a8b1c2d-0000-4000-8000-000000000002",
				  "resource":{"resourceType":"CarePlan","status":"active","intent":"proposal",
				   "category":[{"coding":[{"system":"http://snomed.info/sct","code":"736373009"}]}],
				   "subject":{"reference":"urn:uuid:0a8b1c2d-0000-4000-8000-000000000001"}},
				  "request":{"method":"POST","url":"CarePlan"}},
				 {"fullUrl":"urn:uuid:0a8b1c2d-0000-4000-8000-000000000003",
				  "resource":{"resourceType":"Flag","status":"active",
				   "code":{"coding":[{"system":"http://snomed.info/sct","code":"450476008"}]},
				   "subject":{"reference":"urn:uuid:0a8b1c2d-0000-4000-8000-000000000001"},
				   "period":{"start":"2026-11-01"}},
				  "request":{"method":"POST","url":"Flag"}},
				 {"fullUrl":"urn:uuid:0a8b1c2d-0000-4000-8000-000000000004",
				  "resource":{"resourceType":"CarePlan","status":"active","intent":"plan",
				   "period":{"start":"2026-12-01","end":"2026-01-01"},
				   "subject":{"reference":"urn:uuid:0a8b1c2d-0000-4000-8000-000000000001"}},
				  "request":{"method":"POST","url":"CarePlan"}}
				]}""".formatted(family, TestNhsNumbers.unused());

		Response refused = this.http.post("/fhir", bundle);

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		List<OperationOutcomeIssueComponent> issues = refused.outcome().getIssue();
		assertThat(issues.get(0).getDiagnostics()).contains("nothing of it was stored")
			.contains("3 of its 4 entries are not valid");
		assertThat(issues).anySatisfy((issue) -> {
			assertThat(issue.getDiagnostics())
				.startsWith("Entry 1 (urn:uuid:0a8b1c2d-0000-4000-8000-000000000002, CarePlan): ")
				.contains("epaccs-advance-care-plan applies by default");
			assertThat(issue.getExpression()).hasToString("[Bundle.entry[1].resource.intent]");
		});
		assertThat(issues).anySatisfy((issue) -> {
			assertThat(issue.getDiagnostics())
				.startsWith("Entry 2 (urn:uuid:0a8b1c2d-0000-4000-8000-000000000003, Flag): ")
				.contains(
						"epaccs-cpr-decision-flag applies by default: Flag.code holds http://snomed.info/sct|450476008");
			assertThat(issue.getExpression().toString()).startsWith("[Bundle.entry[2].resource");
		});
		assertThat(issues).anySatisfy((issue) -> {
			assertThat(issue.getDiagnostics())
				.startsWith("Entry 3 (urn:uuid:0a8b1c2d-0000-4000-8000-000000000004, CarePlan): ")
				.contains("base FHIR R4 CarePlan only");
			assertThat(issue.getExpression()).hasToString("[Bundle.entry[3].resource.period]");
		});
		assertThat(issues).as("the valid Patient entry is not named")
			.noneSatisfy((issue) -> assertThat(issue.getDiagnostics()).startsWith("Entry 0 "));
		assertThat(issues).as("FHIRPath, not the line and column of a re-encoded resource")
			.allSatisfy((issue) -> assertThat(issue.getLocation()).isEmpty());
		assertThat(this.http.get("/fhir/Patient?family=" + family).resource(Bundle.class).getEntry())
			.as("nothing stored")
			.isEmpty();
	}

	private String carePlan(String category, String intent) {
		return """
				{"resourceType":"CarePlan","meta":{"profile":["%s"]},"status":"active","intent":"%s",
				 "category":[{%s}],"subject":{"reference":"%s"}}""".formatted(UK_CORE_CARE_PLAN, intent, category,
				this.patient);
	}

}
