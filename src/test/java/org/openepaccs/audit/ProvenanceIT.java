package org.openepaccs.audit;

import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Who changed the DNACPR decision, and when?" is one search: every change a client makes
 * has a Provenance, written with the change.
 */
@EpaccsIntegrationTest
class ProvenanceIT {

	@LocalServerPort
	int port;

	FhirHttp gp;

	FhirHttp ooh;

	String patient;

	String decision;

	@BeforeEach
	void aCprDecisionRecordedByTheGpAndChangedOutOfHours() {
		this.gp = new FhirHttp(this.port);
		this.ooh = FhirHttp.as(this.port, "ooh-clinician");
		this.patient = "Patient/" + this.gp
			.post("/fhir/Patient", FhirHttp.json(new Patient().addName(new HumanName().setFamily("Provenance"))))
			.resource(Patient.class)
			.getIdPart();
		Flag flag = Examples.cprDecisionFor(this.patient);
		this.decision = "Flag/" + this.gp.post("/fhir/Flag", FhirHttp.json(flag)).resource(Flag.class).getIdPart();
		flag.setId(this.decision);
		flag.getPeriod().setEndElement(new org.hl7.fhir.r4.model.DateTimeType("2027-01-31"));
		Response changed = this.ooh.put("/fhir/" + this.decision, FhirHttp.json(flag));
		assertThat(changed.status()).as(changed.body()).isEqualTo(200);
	}

	@Test
	void whoChangedTheDecisionAndWhenIsOneSearch() {
		Response response = this.ooh.get("/fhir/Provenance?target=" + this.decision);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		List<Provenance> changes = provenances(response);
		assertThat(changes).hasSize(2);
		Provenance latest = changes.get(0);
		assertThat(latest.getTargetFirstRep().getReference()).isEqualTo(this.decision + "/_history/2");
		assertThat(latest.getActivity().getCodingFirstRep().getCode()).isEqualTo("UPDATE");
		assertThat(latest.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("ooh-clinician");
		assertThat(latest.getAgentFirstRep().getRoleFirstRep().getText()).isEqualTo("ooh-clinician");
		assertThat(latest.getAgentFirstRep().getOnBehalfOf().getIdentifier().getValue()).isEqualTo("Y99906");
		Provenance first = changes.get(1);
		assertThat(first.getTargetFirstRep().getReference()).isEqualTo(this.decision + "/_history/1");
		assertThat(first.getActivity().getCodingFirstRep().getCode()).isEqualTo("CREATE");
		assertThat(first.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("gp-system");
		assertThat(first.getRecorded()).isBeforeOrEqualTo(latest.getRecorded());

		Response read = this.ooh.get("/fhir/Provenance/" + latest.getIdPart());
		assertThat(read.status()).isEqualTo(200);
		assertThat(read.resource(Provenance.class).getTargetFirstRep().getReference())
			.isEqualTo(this.decision + "/_history/2");
	}

	@Test
	void everythingChangedInOnePersonsRecordIsOneSearchToo() {
		List<Provenance> changes = provenances(this.ooh.get("/fhir/Provenance?patient=" + this.patient));

		assertThat(changes).extracting((provenance) -> provenance.getTargetFirstRep().getReference())
			.containsExactly(this.decision + "/_history/2", this.decision + "/_history/1",
					this.patient + "/_history/1");
	}

	@Test
	void aRefusedWriteLeavesNoProvenance() {
		Flag invalid = Examples.cprDecisionFor(this.patient);
		invalid.setId(this.decision);
		invalid.getCode().getCodingFirstRep().setCode("not-a-code");

		assertThat(this.gp.put("/fhir/" + this.decision, FhirHttp.json(invalid)).status()).isEqualTo(422);
		assertThat(provenances(this.ooh.get("/fhir/Provenance?target=" + this.decision))).hasSize(2);
	}

	@Test
	void provenanceIsWrittenOnlyByTheServer() {
		Provenance forged = new Provenance();
		forged.addTarget().setReference(this.decision);
		forged.setRecordedElement(org.hl7.fhir.r4.model.InstantType.now());
		forged.addAgent().getWho().setDisplay("someone else");

		Response response = this.gp.post("/fhir/Provenance", FhirHttp.json(forged));

		assertThat(response.status()).isBetween(400, 499);
		assertThat(response.outcome().getIssue()).isNotEmpty();
		assertThat(provenances(this.ooh.get("/fhir/Provenance?target=" + this.decision))).hasSize(2);
	}

	@Test
	void unclearRequestsGetClearAnswers() {
		assertThat(this.ooh.get("/fhir/Provenance").status()).isEqualTo(400);
		assertThat(this.ooh.get("/fhir/Provenance").diagnostics()).contains("target").contains("patient");
		assertThat(this.ooh.get("/fhir/Provenance/not-a-change").status()).isEqualTo(404);
		assertThat(this.ooh.get("/fhir/Provenance/99999999").status()).isEqualTo(404);
	}

	@Test
	void thoseWhoMayNotSeeThePersonDoNotSeeWhoChangedTheirRecord() {
		Organization surgery = new Organization().setName("Provenance Refusal Surgery");
		surgery.addIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y99901");
		String organisation = "Organization/"
				+ this.gp.post("/fhir/Organization", FhirHttp.json(surgery)).resource(Organization.class).getIdPart();
		Response refusal = this.gp.post("/fhir/Consent", "{\"resourceType\":\"Consent\",\"status\":\"active\","
				+ "\"scope\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":"
				+ "\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"" + this.patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"" + this.patient + "\"}],\"organization\":[{\"reference\":\"" + organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}");
		assertThat(refusal.status()).as(refusal.body()).isEqualTo(201);

		assertThat(provenances(this.ooh.get("/fhir/Provenance?target=" + this.decision))).isEmpty();
		assertThat(provenances(this.gp.get("/fhir/Provenance?target=" + this.decision))).hasSize(2);
		assertThat(FhirHttp.as(this.port, "icb-analyst").get("/fhir/Provenance?target=" + this.decision).status())
			.isEqualTo(403);
	}

	private static List<Provenance> provenances(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.resource(Bundle.class)
			.getEntry()
			.stream()
			.map((entry) -> (Provenance) entry.getResource())
			.toList();
	}

}
