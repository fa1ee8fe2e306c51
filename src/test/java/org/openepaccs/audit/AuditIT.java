package org.openepaccs.audit;

import java.util.List;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.beans.factory.annotation.Autowired;
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

	@Autowired
	IInterceptorService storageInterceptors;

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

		List<AuditEvent> events = events(this.patient);

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

		List<AuditEvent> events = events(this.patient);

		assertThat(events).anySatisfy((event) -> {
			assertThat(summary(event)).isEqualTo("create C 0 gp-system system-integration");
			assertThat(event.getEntity())
				.anySatisfy((entity) -> assertThat(entity.getWhat().getReference()).startsWith("Goal/"));
		});
	}

	@Test
	void auditEventsCannotBeChangedOrDeletedAndOnlyAuthorisedRolesReadThem() {
		this.gp.get("/fhir/" + this.patient);
		AuditEvent event = events(this.patient).get(0);
		String id = "AuditEvent/" + event.getIdElement().getIdPart();
		String stored = this.admin.get("/fhir/" + id).body();

		// the API has no write for the trail at all; which 4xx says so depends on whether
		// the role check or the missing interaction answers first
		assertThat(this.admin.send("DELETE", "/fhir/" + id, null).status()).isIn(400, 403, 405);
		assertThat(this.gp.send("DELETE", "/fhir/" + id, null).status()).isIn(400, 403, 405);
		event.setOutcomeDesc("rewritten");
		assertThat(this.admin.put("/fhir/" + id, FhirHttp.json(event)).status()).isIn(400, 403, 405);
		assertThat(this.gp.get("/fhir/" + id).status()).isEqualTo(403);
		Response after = this.admin.get("/fhir/" + id);
		assertThat(after.status()).isEqualTo(200);
		assertThat(after.body()).isEqualTo(stored);
	}

	@Test
	void aRefusedReadOfAnUnknownIdIsAuditedUnderThatId() {
		String unknown = "Patient/never-stored-" + System.nanoTime();
		assertThat(this.gp.get("/fhir/" + unknown).status()).isEqualTo(404);

		assertThat(events(unknown)).singleElement().satisfies((event) -> {
			assertThat(summary(event)).isEqualTo("read R 4 gp-system system-integration");
			assertThat(event.getOutcomeDesc()).startsWith("404");
		});
	}

	@Test
	void aRequestWithoutATokenIsAuditedToo() {
		assertThat(FhirHttp.anonymous(this.port).get("/fhir/" + this.patient).status()).isEqualTo(401);

		Bundle failed = this.admin.get("/fhir/AuditEvent?outcome=4&_sort=-date&_count=50").resource(Bundle.class);
		assertThat(failed.getEntry())
			.anySatisfy((entry) -> assertThat(((AuditEvent) entry.getResource()).getOutcomeDesc())
				.startsWith("401 GET /fhir/" + this.patient));
	}

	@Test
	void theTrailIsPagedNewestFirstAndSearchableByDateClientAndRequest() {
		for (int i = 0; i < 7; i++) {
			this.gp.get("/fhir/" + this.patient);
		}
		Response page = this.admin.get("/fhir/AuditEvent?patient=" + this.patient + "&_count=3");
		Bundle first = page.resource(Bundle.class);
		assertThat(first.getTotal()).isEqualTo(8); // the creation and seven reads
		assertThat(first.getEntry()).hasSize(3);
		List<AuditEvent> all = new java.util.ArrayList<>();
		Bundle current = first;
		while (true) {
			current.getEntry().forEach((entry) -> all.add((AuditEvent) entry.getResource()));
			if (current.getLink(Bundle.LINK_NEXT) == null) {
				break;
			}
			String next = current.getLink(Bundle.LINK_NEXT).getUrl();
			current = this.admin.get(next.substring(next.indexOf("/fhir"))).resource(Bundle.class);
		}
		assertThat(all).hasSize(8);
		assertThat(all).extracting((event) -> event.getRecorded().getTime())
			.isSortedAccordingTo((a, b) -> b.compareTo(a));
		assertThat(all.get(7).getSubtypeFirstRep().getCode()).isEqualTo("create");

		String since = all.get(7).getRecordedElement().getValueAsString();
		assertThat(this.admin
			.get("/fhir/AuditEvent?patient=" + this.patient + "&subtype=read&altid=gp-system&date=ge"
					+ java.net.URLEncoder.encode(since, java.nio.charset.StandardCharsets.UTF_8))
			.resource(Bundle.class)
			.getTotal()).isEqualTo(7);
		String requestId = all.get(0).getSource().getObserver().getIdentifier().getValue();
		assertThat(this.admin.get("/fhir/AuditEvent?source:identifier=" + requestId).resource(Bundle.class).getEntry())
			.singleElement()
			.satisfies((entry) -> assertThat(entry.getResource().getIdElement().getIdPart())
				.isEqualTo(all.get(0).getIdElement().getIdPart()));
		assertThat(this.admin.get("/fhir/AuditEvent?_sort=status").status()).isEqualTo(400);
		assertThat(this.admin.get("/fhir/AuditEvent?patient=Observation/x").status()).isEqualTo(400);
	}

	@Test
	void auditEventsCannotBeWrittenThroughATransactionEither() {
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
				+ "{\"resourceType\":\"AuditEvent\",\"type\":{\"code\":\"rest\"},\"recorded\":\"2026-01-01T00:00:00Z\","
				+ "\"agent\":[{\"requestor\":true}],\"source\":{\"observer\":{\"display\":\"x\"}}},"
				+ "\"request\":{\"method\":\"POST\",\"url\":\"AuditEvent\"}}]}";
		int status = this.admin.post("/fhir", transaction).status();
		assertThat(status).isBetween(400, 499);
		assertThat(
				this.admin.post("/fhir/AuditEvent", transaction.substring(0, 0) + "{\"resourceType\":\"AuditEvent\"}")
					.status())
			.isBetween(400, 499);
	}

	@Test
	void aRefusedTransactionLeavesNoAuditOfWritesThatNeverHappened() {
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

		List<AuditEvent> events = events(this.patient);

		assertThat(events).filteredOn((event) -> "create".equals(event.getSubtypeFirstRep().getCode()))
			.as("only the Patient's own creation: the Goal was rolled back with its audit event")
			.hasSize(1)
			.allSatisfy((event) -> assertThat(event.getEntity())
				.noneSatisfy((entity) -> assertThat(entity.getWhat().getReference()).startsWith("Goal/")));
	}

	/**
	 * A hook that runs after the audit hook, inside the write's database transaction, and
	 * refuses the write: if the audit row were written outside that transaction (or HAPI
	 * ran the audit hook after committing), the event "create succeeded" would remain.
	 */
	@Test
	void aWriteAndItsAuditEventCommitOrRollBackTogether() {
		Object refuseAfterAudit = new Object() {
			@Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED, order = Integer.MAX_VALUE)
			public void refuse(IBaseResource resource) {
				if (resource instanceof Goal goal && "refuse me".equals(goal.getDescription().getText())) {
					throw new UnprocessableEntityException("refused after the audit hook, for this test");
				}
			}
		};
		this.storageInterceptors.registerInterceptor(refuseAfterAudit);
		try {
			String goal = "{\"resourceType\":\"Goal\",\"lifecycleStatus\":\"active\",\"description\":{\"text\":"
					+ "\"refuse me\"},\"subject\":{\"reference\":\"" + this.patient + "\"}}";
			String requestId = "audit-tx-" + java.util.UUID.randomUUID();
			assertThat(this.gp.post("/fhir/Goal", goal, "X-Request-ID", requestId).status()).isEqualTo(422);

			Bundle events = this.admin.get("/fhir/AuditEvent?source:identifier=" + requestId).resource(Bundle.class);
			assertThat(events.getEntry()).extracting((entry) -> summary((AuditEvent) entry.getResource()))
				.containsExactly("create C 4 gp-system system-integration");
			assertThat(this.gp.get("/fhir/Goal?subject=" + this.patient).resource(Bundle.class).getEntry()).isEmpty();
		}
		finally {
			this.storageInterceptors.unregisterInterceptor(refuseAfterAudit);
		}
	}

	/**
	 * The events naming a resource, as soon as the responses are back: no waiting, as an
	 * event is stored before its response is sent.
	 */
	private List<AuditEvent> events(String resource) {
		Response response = this.admin.get("/fhir/AuditEvent?entity=" + resource + "&_count=100");
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.resource(Bundle.class)
			.getEntry()
			.stream()
			.map((entry) -> (AuditEvent) entry.getResource())
			.toList();
	}

	private static String summary(AuditEvent event) {
		AuditEvent.AuditEventAgentComponent agent = event.getAgentFirstRep();
		return event.getSubtypeFirstRep().getCode() + " " + event.getAction().toCode() + " "
				+ event.getOutcome().toCode() + " " + agent.getAltId() + " " + agent.getRoleFirstRep().getText();
	}

}
