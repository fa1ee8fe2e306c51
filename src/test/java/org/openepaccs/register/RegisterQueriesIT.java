package org.openepaccs.register;

import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
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
 * The register searches a SPOC hub and its practices run: who is on the registers of
 * these practices (with their plans and alerts in the same answer), who was added since a
 * date, whose key worker is this nurse.
 */
@EpaccsIntegrationTest
class RegisterQueriesIT {

	@LocalServerPort
	int port;

	FhirHttp gp;

	FhirHttp hub;

	String north;

	String south;

	String nurse;

	@BeforeEach
	void twoPracticesAndANurse() {
		this.gp = new FhirHttp(this.port);
		this.hub = FhirHttp.as(this.port, "spoc-hub");
		this.north = created(this.gp.post("/fhir/Organization", FhirHttp.json(new Organization().setName("North"))));
		this.south = created(this.gp.post("/fhir/Organization", FhirHttp.json(new Organization().setName("South"))));
		this.nurse = created(this.gp.post("/fhir/Practitioner", FhirHttp.json(new Practitioner().setActive(true))));
	}

	@Test
	void theHubFindsItsPracticesRegistersWithPlansAndAlertsInOneAnswer() {
		String ann = onRegister(this.north, "2026-01-10", this.nurse);
		String bob = onRegister(this.south, "2026-11-20", null);
		onRegister(created(this.gp.post("/fhir/Organization", FhirHttp.json(new Organization().setName("West")))),
				"2026-11-21", null);
		plan(ann);

		Response registers = this.hub.get("/fhir/EpisodeOfCare?organization=" + this.north + "," + this.south
				+ "&status=active&type=http://snomed.info/sct%7C103735009&_include=EpisodeOfCare:patient"
				+ "&_revinclude:iterate=CarePlan:subject&_revinclude:iterate=Flag:patient&_count=50");

		assertThat(registers.status()).as(registers.body()).isEqualTo(200);
		Bundle found = registers.resource(Bundle.class);
		assertThat(matches(found, "EpisodeOfCare")).hasSize(2);
		assertThat(included(found, "Patient")).containsExactlyInAnyOrder(id(ann), id(bob));
		assertThat(included(found, "CarePlan")).hasSize(1);
		assertThat(included(found, "Flag")).as("each person's register alert").hasSize(2);

		Bundle addedSince = this.hub
			.get("/fhir/EpisodeOfCare?organization=" + this.north + "," + this.south
					+ "&status=active&added=ge2026-11-01")
			.resource(Bundle.class);
		assertThat(addedSince.getEntry()).extracting((e) -> e.getResource().getIdElement().getIdPart()).hasSize(1);

		Bundle nursesPeople = this.hub.get("/fhir/EpisodeOfCare?care-manager=" + this.nurse + "&status=active")
			.resource(Bundle.class);
		assertThat(nursesPeople.getEntry()).hasSize(1);
	}

	private static String id(String reference) {
		return reference.substring(reference.indexOf('/') + 1);
	}

	private static List<String> matches(Bundle bundle, String type) {
		return bundle.getEntry()
			.stream()
			.filter((e) -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
			.filter((e) -> e.getResource().fhirType().equals(type))
			.map((e) -> e.getResource().getIdElement().getIdPart())
			.toList();
	}

	private static List<String> included(Bundle bundle, String type) {
		return bundle.getEntry()
			.stream()
			.filter((e) -> e.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE)
			.filter((e) -> e.getResource().fhirType().equals(type))
			.map((e) -> e.getResource().getIdElement().getIdPart())
			.toList();
	}

	private String onRegister(String practice, String added, String keyWorker) {
		String patient = created(this.gp.post("/fhir/Patient", FhirHttp.json(new Patient().setActive(true)
			.addIdentifier(new Identifier().setSystem(NhsNumber.SYSTEM).setValue(TestNhsNumbers.unused())))));
		Response entry = this.gp.post("/fhir/EpisodeOfCare",
				"{\"resourceType\":\"EpisodeOfCare\",\"status\":\"active\","
						+ "\"type\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"103735009\"}]}],"
						+ "\"patient\":{\"reference\":\"" + patient + "\"},\"managingOrganization\":{\"reference\":\""
						+ practice + "\"},\"period\":{\"start\":\"" + added + "\"}"
						+ ((keyWorker != null) ? ",\"careManager\":{\"reference\":\"" + keyWorker + "\"}" : "") + "}");
		assertThat(entry.status()).as(entry.body()).isEqualTo(201);
		return patient;
	}

	private void plan(String patient) {
		Response created = this.gp.post("/fhir/CarePlan", "{\"resourceType\":\"CarePlan\",\"status\":\"active\","
				+ "\"intent\":\"plan\",\"category\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":"
				+ "\"736373009\"}]}],\"subject\":{\"reference\":\"" + patient + "\"}}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
	}

	private static String created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return response.header("Location").replaceAll(".*/fhir/([A-Za-z]+/[^/]+)/_history/.*", "$1");
	}

}
