package org.openepaccs.register;

import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
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
 * A GP records a death: in the same transaction the register entry closes (reason died),
 * the register alert goes down, and whether the person died where they wanted is
 * recorded.
 */
@EpaccsIntegrationTest
class DeathIT {

	private static final String HOME = "110481000000108"; // Preferred place of death:
															// home

	private static final String HOSPICE = "108401000000102"; // Preferred place of death:
																// hospice

	private static final String DIED_AT_HOME = "876879006";

	private static final String DIED_IN_HOSPITAL = "183676005";

	@LocalServerPort
	int port;

	FhirHttp ooh;

	FhirHttp gp;

	String patient;

	String entry;

	@BeforeEach
	void aPersonOnTheRegisterWhoWantsToDieAtHome() {
		this.gp = new FhirHttp(this.port);
		this.ooh = FhirHttp.as(this.port, "ooh-clinician");
		String practice = "Organization/"
				+ this.gp.post("/fhir/Organization", FhirHttp.json(new Organization().setName("Death Surgery")))
					.resource(Organization.class)
					.getIdElement()
					.getIdPart();
		Patient person = new Patient();
		person.setId("death-" + System.nanoTime());
		person.addName().setFamily("Died");
		person.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(TestNhsNumbers.unused());
		this.patient = "Patient/" + person.getIdElement().getIdPart();
		assertThat(this.gp.put("/fhir/" + this.patient, FhirHttp.json(person)).status()).isEqualTo(201);
		this.entry = "EpisodeOfCare/" + this.gp
			.post("/fhir/EpisodeOfCare",
					"{\"resourceType\":\"EpisodeOfCare\",\"status\":\"active\",\"type\":[{\"coding\":[{\"system\":"
							+ "\"http://snomed.info/sct\",\"code\":\"103735009\"}]}],\"patient\":{\"reference\":\""
							+ this.patient + "\"},\"managingOrganization\":{\"reference\":\"" + practice
							+ "\"},\"period\":{\"start\":\"2026-01-10\"}}")
			.resource(EpisodeOfCare.class)
			.getIdElement()
			.getIdPart();
		assertThat(this.gp.post("/fhir/Observation", preference(HOME, 1)).status()).isEqualTo(201);
		assertThat(this.gp.post("/fhir/Observation", preference(HOSPICE, 2)).status()).isEqualTo(201);
	}

	@Test
	void recordingADeathAtHomeClosesTheRegisterAndRecordsThePreferenceAchieved() {
		Response recorded = this.ooh.post("/fhir", death(DIED_AT_HOME));
		assertThat(recorded.status()).as(recorded.body()).isEqualTo(200);

		EpisodeOfCare closed = this.gp.get("/fhir/" + this.entry).resource(EpisodeOfCare.class);
		assertThat(closed.getStatus()).isEqualTo(EpisodeOfCare.EpisodeOfCareStatus.FINISHED);
		assertThat(closed.getPeriod().getEndElement().getValueAsString()).isEqualTo("2026-06-03");
		assertThat(((CodeableConcept) closed.getExtensionByUrl(RegisterFlagKeeper.END_REASON).getValue())
			.getCodingFirstRep()
			.getCode()).isEqualTo("died");
		Flag alert = this.gp.get("/fhir/Flag/" + closed.getIdElement().getIdPart() + "-alert").resource(Flag.class);
		assertThat(alert.getStatus()).isEqualTo(Flag.FlagStatus.INACTIVE);
		assertThat(achieved()).isEqualTo(Boolean.TRUE);
		// the server wrote these itself, so they were not validated on the way in
		Conformance.assertConforms(this.gp, closed);
		Conformance.assertConforms(this.gp, alert);
	}

	@Test
	void aDeathElsewhereIsRecordedAsNotAchievedAndAClinicianMayOverrideItOnlyWithAReason() {
		assertThat(this.ooh.post("/fhir", death(DIED_IN_HOSPITAL)).status()).isEqualTo(200);
		assertThat(achieved()).isEqualTo(Boolean.FALSE);

		String placeOfDeath = this.gp
			.get("/fhir/Observation?subject=" + this.patient + "&code=http://snomed.info/sct%7C" + DIED_IN_HOSPITAL)
			.resource(Bundle.class)
			.getEntryFirstRep()
			.getResource()
			.getIdElement()
			.toUnqualifiedVersionless()
			.getValue();
		Observation stated = this.gp.get("/fhir/" + placeOfDeath).resource(Observation.class);
		stated.getComponentFirstRep().setValue(new BooleanType(true));
		Response withoutReason = this.gp.put("/fhir/" + placeOfDeath, FhirHttp.json(stated));
		assertThat(withoutReason.status()).isEqualTo(422);
		assertThat(withoutReason.diagnostics()).contains("say why in Observation.note");

		stated.addNote().setText("Moved to the hospital's palliative suite at the family's request: their wish");
		assertThat(this.gp.put("/fhir/" + placeOfDeath, FhirHttp.json(stated)).status()).isEqualTo(200);
		assertThat(achieved()).isEqualTo(Boolean.TRUE);
	}

	@Test
	void aDeathThatCannotBeFullyRecordedChangesNothing() {
		// the place of death (declaring its profile) names a place that is not a "died
		// in"
		// finding: the whole transaction is refused, the death included
		Response refused = this.ooh.post("/fhir", death("22232009"));

		assertThat(refused.status()).isEqualTo(422);
		assertThat(this.gp.get("/fhir/" + this.patient).resource(Patient.class).hasDeceased()).isFalse();
		assertThat(this.gp.get("/fhir/" + this.entry).resource(EpisodeOfCare.class).getStatus())
			.isEqualTo(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
	}

	private Boolean achieved() {
		Bundle found = this.gp
			.get("/fhir/Observation?subject=" + this.patient
					+ "&code=http://snomed.info/sct%7C876879006,http://snomed.info/sct%7C183676005")
			.resource(Bundle.class);
		assertThat(found.getEntry()).hasSize(1);
		return ((Observation) found.getEntryFirstRep().getResource()).getComponent()
			.stream()
			.filter((component) -> component.getCode()
				.hasCoding(DeathRecorder.OBSERVATION_CODES, DeathRecorder.ACHIEVED))
			.map((component) -> component.getValueBooleanType().booleanValue())
			.findFirst()
			.orElse(null);
	}

	private String death(String place) {
		Patient person = this.gp.get("/fhir/" + this.patient).resource(Patient.class);
		person.getMeta().setVersionId(null);
		person.setDeceased(new org.hl7.fhir.r4.model.DateTimeType("2026-06-03T04:15:00+01:00"));
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + FhirHttp.json(person)
				+ ",\"request\":{\"method\":\"PUT\",\"url\":\"" + this.patient + "\"}},"
				+ "{\"resource\":{\"resourceType\":\"Observation\",\"meta\":{\"profile\":[\"https://fhir.openepaccs.org/"
				+ "StructureDefinition/epaccs-actual-place-of-death\"]},\"status\":\"final\",\"code\":{\"coding\":[{"
				+ "\"system\":\"http://snomed.info/sct\",\"code\":\"" + place + "\"}],\"text\":\"Place of death\"},"
				+ "\"subject\":{\"reference\":\"" + this.patient
				+ "\"},\"effectiveDateTime\":\"2026-06-03T04:15:00+01:00\""
				+ "},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";
	}

	private String preference(String code, int rank) {
		return "{\"resourceType\":\"Observation\",\"extension\":[{\"url\":\""
				+ org.openepaccs.records.RecordMeanings.RANK_EXTENSION + "\",\"valuePositiveInt\":" + rank
				+ "}],\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
				+ "\"http://snomed.info/sct\",\"code\":\"" + code + "\"}],\"text\":\"Preferred place of death\"},"
				+ "\"subject\":{\"reference\":\"" + this.patient + "\"},\"effectiveDateTime\":\"2026-02-01\"}";
	}

}
