package org.openepaccs.records;

import org.openepaccs.common.NhsNumber;
import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.conformance.WriteWarnings;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NHS number policy: a register entry or advance care plan needs a person with an NHS
 * number; a Patient without one is stored with a warning that the out-of-hours lookup
 * cannot find them.
 */
@EpaccsIntegrationTest
class NhsNumberPolicyIT {

	@LocalServerPort
	int port;

	FhirHttp http;

	String practice;

	@BeforeEach
	void newPractice() {
		this.http = new FhirHttp(this.port);
		this.practice = "Organization/"
				+ this.http.post("/fhir/Organization", FhirHttp.json(new Organization().setName("Policy Surgery")))
					.resource(Organization.class)
					.getIdElement()
					.getIdPart();
	}

	@Test
	void aRegisterEntryNeedsAPersonWithAnNhsNumber() {
		String patient = stored(person("Unnumbered", null));

		Response refused = this.http.post("/fhir/EpisodeOfCare", registerEntry(patient));

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.diagnostics()).contains("A palliative care register entry needs a person with an NHS number")
			.contains(patient + " has none");
		assertThat(refused.outcome().getIssueFirstRep().getExpression()).hasToString("[EpisodeOfCare.patient]");
		assertThat(this.http.get("/fhir/EpisodeOfCare?patient=" + patient).resource(Bundle.class).getEntry())
			.as("nothing stored")
			.isEmpty();

		Patient numbered = this.http.get("/fhir/" + patient).resource(Patient.class);
		numbered.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(TestNhsNumbers.unused());
		assertThat(this.http.put("/fhir/" + patient, FhirHttp.json(numbered)).status()).isEqualTo(200);

		Response accepted = this.http.post("/fhir/EpisodeOfCare", registerEntry(patient));
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
	}

	@Test
	void anAdvanceCarePlanNeedsAPersonWithAnNhsNumber() {
		String unnumbered = stored(person("Unnumbered", null));
		Response refused = this.http.post("/fhir/CarePlan", advanceCarePlan(unnumbered));

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.diagnostics()).contains("An advance care plan needs a person with an NHS number")
			.contains(unnumbered + " has none");
		assertThat(refused.outcome().getIssueFirstRep().getExpression()).hasToString("[CarePlan.subject]");

		String numbered = stored(person("Numbered", TestNhsNumbers.unused()));
		Response accepted = this.http.post("/fhir/CarePlan", advanceCarePlan(numbered));
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
	}

	@Test
	void aRegisterEntryMustReferenceAStoredPatient() {
		String byIdentifier = registerEntry("x").replace("{\"reference\":\"x\"}", "{\"identifier\":{\"system\":\""
				+ NhsNumber.SYSTEM + "\",\"value\":\"" + TestNhsNumbers.unused() + "\"}}");

		Response refused = this.http.post("/fhir/EpisodeOfCare", byIdentifier);

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.diagnostics()).contains("does not reference a Patient stored on this server");
	}

	@Test
	void aPatientWithoutAnNhsNumberIsStoredWithAWarning() {
		Response created = this.http.post("/fhir/Patient", person("Warned", null));

		assertThat(created.status()).as(created.body()).isEqualTo(201);
		assertThat(created.resource(Patient.class).getNameFirstRep().getFamily()).isEqualTo("Warned");
		assertThat(warnings(headerOutcome(created))).singleElement().satisfies(NhsNumberPolicyIT::isTheLookupWarning);

		Response asOutcome = this.http.post("/fhir/Patient", person("Warned", null), "Prefer",
				"return=OperationOutcome");
		assertThat(asOutcome.status()).as(asOutcome.body()).isEqualTo(201);
		assertThat(warnings(asOutcome.outcome())).singleElement().satisfies(NhsNumberPolicyIT::isTheLookupWarning);

		String patient = created.header("Location").replaceAll(".*/fhir/(Patient/[^/]+)/_history/.*", "$1");
		Patient changed = created.resource(Patient.class).setGender(AdministrativeGender.FEMALE);
		Response updated = this.http.put("/fhir/" + patient, FhirHttp.json(changed));
		assertThat(updated.status()).as(updated.body()).isEqualTo(200);
		assertThat(warnings(headerOutcome(updated))).singleElement().satisfies(NhsNumberPolicyIT::isTheLookupWarning);
	}

	@Test
	void aPatientWithAnNhsNumberIsStoredWithoutWarning() {
		Response created = this.http.post("/fhir/Patient", person("Numbered", TestNhsNumbers.unused()), "Prefer",
				"return=OperationOutcome");

		assertThat(created.status()).as(created.body()).isEqualTo(201);
		assertThat(created.header(WriteWarnings.HEADER)).isNull();
		assertThat(warnings(created.outcome())).isEmpty();
	}

	@Test
	void aPatientWithAnNhsNumberAndTheirRegisterEntryCanArriveInOneTransaction() {
		Response response = this.http.post("/fhir",
				transaction(person("Together", TestNhsNumbers.unused()), registerEntry("urn:uuid:" + PERSON)));

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		Bundle answer = response.resource(Bundle.class);
		assertThat(answer.getEntry()).extracting((entry) -> entry.getResponse().getStatus())
			.containsExactly("201 Created", "201 Created");
		OperationOutcome patientOutcome = (OperationOutcome) answer.getEntry().get(0).getResponse().getOutcome();
		assertThat(warnings(patientOutcome)).isEmpty();
	}

	@Test
	void aTransactionCannotAddARegisterEntryForAPersonWithoutAnNhsNumber() {
		String family = "Unnumbered" + System.nanoTime();

		Response response = this.http.post("/fhir",
				transaction(person(family, null), registerEntry("urn:uuid:" + PERSON)));

		assertThat(response.status()).as(response.body()).isEqualTo(422);
		assertThat(response.diagnostics())
			.contains("A palliative care register entry needs a person with an NHS number")
			.contains("Add the person's NHS number to the Patient, in the same transaction or before");
		assertThat(this.http.get("/fhir/Patient?family=" + family).resource(Bundle.class).getEntry())
			.as("nothing of the refused transaction is stored")
			.isEmpty();
	}

	@Test
	void aTransactionCarriesTheWarningInThePatientsEntry() {
		Response response = this.http.post("/fhir",
				transaction(person("Warned", null), FhirHttp.json(new Organization().setName("Other Surgery"))));

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		Bundle answer = response.resource(Bundle.class);
		assertThat(warnings((OperationOutcome) answer.getEntry().get(0).getResponse().getOutcome())).singleElement()
			.satisfies(NhsNumberPolicyIT::isTheLookupWarning);
		assertThat(answer.getEntry().get(1).getResponse().getOutcome()).satisfiesAnyOf(
				(outcome) -> assertThat(outcome).isNull(),
				(outcome) -> assertThat(warnings((OperationOutcome) outcome)).isEmpty());
	}

	@Test
	void theNhsNumberOfAPersonWithARegisterEntryCannotBeRemoved() {
		String patient = stored(person("Kept", TestNhsNumbers.unused()));
		Response entry = this.http.post("/fhir/EpisodeOfCare", registerEntry(patient));
		assertThat(entry.status()).as(entry.body()).isEqualTo(201);
		String entryId = entry.header("Location").replaceAll(".*/fhir/(EpisodeOfCare/[^/]+)/_history/.*", "$1");

		Patient unnumbered = this.http.get("/fhir/" + patient).resource(Patient.class);
		unnumbered.getIdentifier().clear();
		Response refused = this.http.put("/fhir/" + patient, FhirHttp.json(unnumbered));

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.diagnostics()).contains("NHS number cannot be removed").contains(entryId);

		String finished = registerEntry(patient).replace("\"active\"", "\"finished\"")
			.replace("\"start\":\"2026-01-05\"", "\"start\":\"2026-01-05\",\"end\":\"2026-02-05\"")
			.replaceFirst("\\{", "{\"id\":\"" + entryId.substring("EpisodeOfCare/".length()) + "\",");
		assertThat(this.http.put("/fhir/" + entryId, finished).status()).isEqualTo(200);
		Response removed = this.http.put("/fhir/" + patient, FhirHttp.json(unnumbered));
		assertThat(removed.status()).as(removed.body()).isEqualTo(200);
		assertThat(warnings(headerOutcome(removed))).singleElement().satisfies(NhsNumberPolicyIT::isTheLookupWarning);
	}

	private static final String PERSON = "6f1c2a8e-5b7d-4c1e-9a3f-2d4b6c8e0a11";

	private static String transaction(String patient, String other) {
		String otherType = other.replaceAll("(?s)^\\{\"resourceType\":\"([A-Za-z]+)\".*", "$1");
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"fullUrl\":\"urn:uuid:" + PERSON
				+ "\",\"resource\":" + patient + ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
				+ "{\"resource\":" + other + ",\"request\":{\"method\":\"POST\",\"url\":\"" + otherType + "\"}}]}";
	}

	private static void isTheLookupWarning(OperationOutcomeIssueComponent issue) {
		assertThat(issue.getDiagnostics())
			.contains("the out-of-hours lookup by NHS number cannot find this person until one is added");
		assertThat(issue.getExpression()).hasToString("[Patient.identifier]");
	}

	private static OperationOutcome headerOutcome(Response response) {
		String header = response.header(WriteWarnings.HEADER);
		assertThat(header).as("the %s header", WriteWarnings.HEADER).isNotNull();
		return FhirContext.forR4Cached().newJsonParser().parseResource(OperationOutcome.class, header);
	}

	private static List<OperationOutcomeIssueComponent> warnings(OperationOutcome outcome) {
		return outcome.getIssue()
			.stream()
			.filter((issue) -> issue.getSeverity() == OperationOutcome.IssueSeverity.WARNING)
			.toList();
	}

	private String stored(String patient) {
		Response created = this.http.post("/fhir/Patient", patient);
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.header("Location").replaceAll(".*/fhir/(Patient/[^/]+)/_history/.*", "$1");
	}

	private static String person(String family, String nhsNumber) {
		Patient patient = new Patient();
		patient.addName().setFamily(family);
		if (nhsNumber != null) {
			patient.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(nhsNumber);
		}
		return FhirHttp.json(patient);
	}

	private String registerEntry(String patient) {
		return "{\"resourceType\":\"EpisodeOfCare\",\"status\":\"active\",\"type\":[{\"coding\":[{\"system\":"
				+ "\"http://snomed.info/sct\",\"code\":\"103735009\"}]}],\"patient\":{\"reference\":\"" + patient
				+ "\"},\"managingOrganization\":{\"reference\":\"" + this.practice + "\"},"
				+ "\"period\":{\"start\":\"2026-01-05\"}}";
	}

	private static String advanceCarePlan(String patient) {
		return "{\"resourceType\":\"CarePlan\",\"status\":\"active\",\"intent\":\"plan\",\"category\":[{\"coding\":"
				+ "[{\"system\":\"http://snomed.info/sct\",\"code\":\"736373009\"}]}],\"subject\":{\"reference\":\""
				+ patient + "\"}}";
	}

}
