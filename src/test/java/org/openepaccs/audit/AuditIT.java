package org.openepaccs.audit;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who looked at this person's record, and who changed it: every interaction leaves an
 * AuditEvent that a privacy officer finds by patient, and nobody can change or delete
 * one.
 */
@EpaccsIntegrationTest
class AuditIT {

	@LocalServerPort
	int port;

	FhirHttp gp;

	FhirHttp admin;

	String patient;

	@BeforeEach
	void newPatient() {
		this.gp = new FhirHttp(this.port);
		this.admin = FhirHttp.as(this.port, "admin");
		Response created = this.gp.post("/fhir/Patient",
				FhirHttp.json(new Patient().addName(new HumanName().setFamily("Audited"))));
		this.patient = "Patient/" + created.resource(Patient.class).getIdElement().getIdPart();
	}

	@Test
	void readsSearchesWritesAndRefusalsAreAuditedByPatient() {
		this.gp.get("/fhir/" + this.patient);
		this.gp.get("/fhir/Observation?subject=" + this.patient);
		FhirHttp.as(this.port, "ooh-clinician").get("/fhir/" + this.patient);
		FhirHttp.as(this.port, "icb-analyst").get("/fhir/" + this.patient);

		List<AuditEvent> events = awaitEvents(this.patient, 4);

		assertThat(events).extracting(AuditIT::summary)
			.contains("create C 0 gp-system system-integration", "read R 0 gp-system system-integration",
					"read R 0 ooh-clinician ooh-clinician", "read R 4 icb-analyst icb-analyst");
		assertThat(events).filteredOn((event) -> "read".equals(event.getSubtypeFirstRep().getCode()))
			.allSatisfy((event) -> {
				assertThat(event.getSource().getObserver().getIdentifier().getValue()).as("request id").isNotBlank();
				assertThat(event.getAgentFirstRep().getNetwork().getAddress()).isNotBlank();
			});
		assertThat(events).anySatisfy((event) -> assertThat(event.getAgent())
			.anySatisfy((agent) -> assertThat(agent.getWho().getIdentifier().getValue()).isEqualTo("Y99901")));
	}

	@Test
	void aTransactionAuditsEachEntryWithTheWrite() {
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
				+ "{\"resourceType\":\"Goal\",\"lifecycleStatus\":\"active\",\"description\":{\"text\":\"Home\"},"
				+ "\"subject\":{\"reference\":\"" + this.patient + "\"}},\"request\":{\"method\":\"POST\",\"url\":"
				+ "\"Goal\"}}]}";
		assertThat(this.gp.post("/fhir", transaction).status()).isEqualTo(200);

		List<AuditEvent> events = awaitEvents(this.patient, 2);

		assertThat(events).anySatisfy((event) -> {
			assertThat(summary(event)).isEqualTo("create C 0 gp-system system-integration");
			assertThat(event.getEntity())
				.anySatisfy((entity) -> assertThat(entity.getWhat().getReference()).startsWith("Goal/"));
		});
	}

	@Test
	void auditEventsCannotBeChangedOrDeletedAndOnlyAuthorisedRolesReadThem() {
		this.gp.get("/fhir/" + this.patient);
		AuditEvent event = awaitEvents(this.patient, 2).get(0);
		String id = "AuditEvent/" + event.getIdElement().getIdPart();

		assertThat(this.admin.send("DELETE", "/fhir/" + id, null).status()).isEqualTo(403);
		assertThat(this.gp.send("DELETE", "/fhir/" + id, null).status()).isEqualTo(403);
		assertThat(this.admin.put("/fhir/" + id, FhirHttp.json(event)).status()).isEqualTo(403);
		assertThat(this.gp.get("/fhir/" + id).status()).isEqualTo(403);
		assertThat(this.admin.get("/fhir/" + id).status()).isEqualTo(200);
	}

	@Test
	void anEventAboutAnUnknownIdIsKeptAndDoesNotHoldUpTheOthers() {
		String unknown = "Patient/never-stored-" + System.nanoTime();
		assertThat(this.gp.get("/fhir/" + unknown).status()).isEqualTo(404);
		this.gp.get("/fhir/" + this.patient);

		assertThat(awaitEvents(this.patient, 2)).extracting(AuditIT::summary)
			.contains("read R 0 gp-system system-integration");
		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			Bundle failed = this.admin.get("/fhir/AuditEvent?outcome=4&_count=200").resource(Bundle.class);
			assertThat(failed.getEntry())
				.anySatisfy((entry) -> assertThat(((AuditEvent) entry.getResource()).getEntity())
					.anySatisfy((entity) -> assertThat(entity.getWhat().getDisplay()).isEqualTo(unknown)));
		});
	}

	@Test
	void aRequestWithoutATokenIsAuditedToo() {
		assertThat(FhirHttp.anonymous(this.port).get("/fhir/" + this.patient).status()).isEqualTo(401);

		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			Bundle failed = this.admin.get("/fhir/AuditEvent?outcome=4&_count=200").resource(Bundle.class);
			assertThat(failed.getEntry())
				.anySatisfy((entry) -> assertThat(((AuditEvent) entry.getResource()).getOutcomeDesc())
					.startsWith("401 GET /fhir/" + this.patient));
		});
	}

	@Test
	void aRefusedTransactionLeavesNoAuditOfWritesThatNeverHappened() throws InterruptedException {
		String rank = "https://fhir.openepaccs.org/StructureDefinition/epaccs-preference-rank";
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
				+ "{\"resourceType\":\"Goal\",\"lifecycleStatus\":\"active\",\"description\":{\"text\":\"Home\"},"
				+ "\"subject\":{\"reference\":\"" + this.patient + "\"}},\"request\":{\"method\":\"POST\",\"url\":"
				+ "\"Goal\"}},{\"resource\":{\"resourceType\":\"Observation\",\"extension\":[{\"url\":\"" + rank
				+ "\",\"valuePositiveInt\":2}],\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
				+ "\"http://snomed.info/sct\",\"code\":\"108401000000102\"}],\"text\":\"Hospice\"},\"subject\":"
				+ "{\"reference\":\"" + this.patient
				+ "\"}},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";
		assertThat(this.gp.post("/fhir", transaction).status()).isEqualTo(422);
		this.gp.get("/fhir/" + this.patient);

		List<AuditEvent> events = awaitEvents(this.patient, 2);
		Thread.sleep(3000); // several publisher runs: anything written with the Goal
							// would be out by now
		events = awaitEvents(this.patient, 2);

		assertThat(events).filteredOn((event) -> "create".equals(event.getSubtypeFirstRep().getCode()))
			.as("only the Patient's own creation: the Goal was rolled back with its audit event")
			.hasSize(1)
			.allSatisfy((event) -> assertThat(event.getEntity())
				.noneSatisfy((entity) -> assertThat(entity.getWhat().getReference()).startsWith("Goal/")));
	}

	private List<AuditEvent> awaitEvents(String patient, int atLeast) {
		return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
			Response response = this.admin.get("/fhir/AuditEvent?entity=" + patient + "&_count=100");
			assertThat(response.status()).as(response.body()).isEqualTo(200);
			return response.resource(Bundle.class)
				.getEntry()
				.stream()
				.map((entry) -> (AuditEvent) entry.getResource())
				.toList();
		}, (events) -> events.size() >= atLeast);
	}

	private static String summary(AuditEvent event) {
		AuditEvent.AuditEventAgentComponent agent = event.getAgentFirstRep();
		return event.getSubtypeFirstRep().getCode() + " " + event.getAction().toCode() + " "
				+ event.getOutcome().toCode() + " " + agent.getAltId() + " " + agent.getRoleFirstRep().getText();
	}

}
