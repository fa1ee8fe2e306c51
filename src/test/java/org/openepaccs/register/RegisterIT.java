package org.openepaccs.register;

import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.Conformance;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A practice adds a person to the register and later takes them off it: the register
 * alert that out-of-hours services look for follows by itself, and its history stays.
 */
@EpaccsIntegrationTest
class RegisterIT {

	private static final String ACTIVE_ALERTS = "/fhir/Flag?status=active&code=http://snomed.info/sct%7C1403151000000103&patient=";

	@LocalServerPort
	int port;

	FhirHttp gp;

	String patient;

	String practice;

	@BeforeEach
	void aPersonAtAPractice() {
		this.gp = new FhirHttp(this.port);
		this.practice = "Organization/"
				+ this.gp.post("/fhir/Organization", FhirHttp.json(new Organization().setName("Register Surgery")))
					.resource(Organization.class)
					.getIdElement()
					.getIdPart();
		Patient person = new Patient();
		person.addName().setFamily("Register");
		person.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(TestNhsNumbers.unused());
		this.patient = "Patient/" + this.gp.post("/fhir/Patient", FhirHttp.json(person))
			.resource(Patient.class)
			.getIdElement()
			.getIdPart();
	}

	@Test
	void aSecondRegisterAlertWrittenByAClientIsRefused() {
		String entryId = this.gp.post("/fhir/EpisodeOfCare", entry("active", null, null))
			.resource(EpisodeOfCare.class)
			.getIdElement()
			.getIdPart();
		Flag second = flags(ACTIVE_ALERTS + this.patient).get(0).copy();
		second.setId((String) null);
		second.getMeta().setVersionId(null);

		Response refused = this.gp.post("/fhir/Flag", FhirHttp.json(second));

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.diagnostics()).contains("already has an active register alert (Flag/" + entryId + "-alert)")
			.contains("EpisodeOfCare");
		assertThat(flags(ACTIVE_ALERTS + this.patient)).hasSize(1);
		// the alert the server keeps may still be sent as it is
		Flag same = flags(ACTIVE_ALERTS + this.patient).get(0);
		assertThat(this.gp.put("/fhir/Flag/" + entryId + "-alert", FhirHttp.json(same)).status()).isEqualTo(200);
	}

	@Test
	void addingAPersonToTheRegisterRaisesTheAlertAndTakingThemOffLowersIt() {
		Response added = this.gp.post("/fhir/EpisodeOfCare", entry("active", null, null));
		assertThat(added.status()).as(added.body()).isEqualTo(201);
		EpisodeOfCare entry = added.resource(EpisodeOfCare.class);
		String entryId = entry.getIdElement().getIdPart();

		List<Flag> alerts = flags(ACTIVE_ALERTS + this.patient);
		assertThat(alerts).singleElement().satisfies((flag) -> {
			assertThat(flag.getIdElement().getIdPart()).isEqualTo(entryId + "-alert");
			assertThat(((Reference) flag.getExtensionByUrl(RegisterFlagKeeper.FLAG_DETAIL).getValue()).getReference())
				.isEqualTo("EpisodeOfCare/" + entryId);
			assertThat(flag.getPeriod().getStartElement().getValueAsString()).isEqualTo("2026-03-02");
			assertThat(flag.getAuthor().getReference()).isEqualTo(this.practice);
			assertThat(flag.getText().getDivAsString()).contains("on the palliative care register since 2 March 2026");
			Conformance.assertConforms(this.gp, flag);
		});

		Response removed = this.gp.put("/fhir/EpisodeOfCare/" + entryId,
				withId(entry("finished", "2026-09-30", "moved-away"), entryId));
		assertThat(removed.status()).as(removed.body()).isEqualTo(200);

		assertThat(flags(ACTIVE_ALERTS + this.patient)).isEmpty();
		Flag lowered = this.gp.get("/fhir/Flag/" + entryId + "-alert").resource(Flag.class);
		assertThat(lowered.getStatus()).isEqualTo(Flag.FlagStatus.INACTIVE);
		assertThat(lowered.getPeriod().getEndElement().getValueAsString()).isEqualTo("2026-09-30");
		assertThat(lowered.getText().getDivAsString())
			.contains("No longer on the palliative care register: Moved away");
		Conformance.assertConforms(this.gp, lowered);
		assertThat(this.gp.get("/fhir/Flag/" + entryId + "-alert/_history").resource(Bundle.class).getEntry())
			.as("the alert's history is kept: raised, then lowered")
			.hasSize(2);
	}

	@Test
	void writingTheSameEntryAgainLeavesTheAlertAsItWas() {
		Response added = this.gp.post("/fhir/EpisodeOfCare", entry("active", null, null));
		String entryId = added.resource(EpisodeOfCare.class).getIdElement().getIdPart();
		assertThat(this.gp.put("/fhir/EpisodeOfCare/" + entryId, withId(entry("active", null, null), entryId)).status())
			.isEqualTo(200);

		assertThat(this.gp.get("/fhir/Flag/" + entryId + "-alert/_history").resource(Bundle.class).getEntry())
			.hasSize(1);
	}

	@Test
	void aRefusedEntryLeavesNoAlertBehind() {
		assertThat(this.gp.post("/fhir/EpisodeOfCare", entry("active", null, null)).status()).isEqualTo(201);

		Response second = this.gp.post("/fhir/EpisodeOfCare", entry("active", null, null));

		assertThat(second.status()).isEqualTo(422);
		assertThat(flags("/fhir/Flag?code=http://snomed.info/sct%7C1403151000000103&patient=" + this.patient))
			.hasSize(1);
	}

	@Test
	void anEntryAddedInATransactionGetsItsAlertInTheSameTransaction() {
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"fullUrl\":"
				+ "\"urn:uuid:5b1c7e0a-3c43-4d0e-9f61-1f1f6f2b9a11\",\"resource\":" + entry("active", null, null)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"EpisodeOfCare\"}}]}";

		Response response = this.gp.post("/fhir", transaction);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(flags(ACTIVE_ALERTS + this.patient)).hasSize(1);
	}

	private List<Flag> flags(String query) {
		Response response = this.gp.get(query);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.resource(Bundle.class).getEntry().stream().map((e) -> (Flag) e.getResource()).toList();
	}

	private static String withId(String resource, String id) {
		return resource.replaceFirst("\\{", "{\"id\":\"" + id + "\",");
	}

	private String entry(String status, String end, String endReason) {
		String reason = (endReason != null) ? "\"extension\":[{\"url\":\"" + RegisterFlagKeeper.END_REASON
				+ "\",\"valueCodeableConcept\":{\"coding\":[{\"system\":\"https://fhir.openepaccs.org/CodeSystem/"
				+ "epaccs-register-end-reason\",\"code\":\"" + endReason + "\",\"display\":\"Moved away\"}]}}]," : "";
		return "{\"resourceType\":\"EpisodeOfCare\"," + reason + "\"status\":\"" + status + "\",\"type\":[{\"coding\":"
				+ "[{\"system\":\"http://snomed.info/sct\",\"code\":\"103735009\",\"display\":\"Palliative care\"}]}],"
				+ "\"patient\":{\"reference\":\"" + this.patient + "\"},\"managingOrganization\":{\"reference\":\""
				+ this.practice + "\",\"display\":\"Register Surgery\"},\"period\":{\"start\":\"2026-03-02\""
				+ ((end != null) ? ",\"end\":\"" + end + "\"" : "") + "}}";
	}

}
