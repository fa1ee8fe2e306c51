package org.openepaccs.records;

import org.openepaccs.common.NhsNumber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An NHS number is on at most one Patient that is not deleted, whatever the writer may
 * see, and the refusal tells nothing of the person already recorded.
 */
@EpaccsIntegrationTest
class NhsNumberUniquenessIT {

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	UniqueNhsNumbers uniqueNhsNumbers;

	FhirHttp gp;

	@BeforeEach
	void client() {
		this.gp = new FhirHttp(this.port);
	}

	@Test
	void aSecondPatientWithAStoredNumberIsRefusedWith409SayingOnlyThat() {
		String number = TestNhsNumbers.unused();
		String family = "Unique" + System.nanoTime();
		String first = created(this.gp.post("/fhir/Patient", patient(number, family)));

		Response second = this.gp.post("/fhir/Patient", patient(number, "Other" + System.nanoTime()));

		assertThat(second.status()).as(second.body()).isEqualTo(409);
		assertRefusedSayingOnlyThat(second, first, family);
		assertThat(countWith(number)).isEqualTo(1);
	}

	@Test
	void aConditionalCreateByAnOrganisationThePersonRefusedToShareWithIsRefusedTellingNothingOfThem() {
		String number = TestNhsNumbers.unused();
		String family = "Hidden" + System.nanoTime();
		Organization surgery = new Organization().setName("Uniqueness Surgery");
		surgery.addIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y99901");
		String organisation = created(this.gp.post("/fhir/Organization", FhirHttp.json(surgery)));
		String stored = created(this.gp.post("/fhir/Patient", patient(number, family)));
		refuseToShare(stored, organisation);
		FhirHttp nurse = FhirHttp.as(this.port, "community-nurse"); // organisation Y99902
		assertThat(nurse.get("/fhir/" + stored).status()).as("hidden from the nurse").isIn(403, 404);
		String ifNoneExist = "identifier=" + NhsNumber.SYSTEM + "|" + number;

		Response conditional = nurse.post("/fhir/Patient", patient(number, "Newcomer"), "If-None-Exist", ifNoneExist);
		Response plain = nurse.post("/fhir/Patient", patient(number, "Newcomer"));
		Response byTheCustodian = this.gp.post("/fhir/Patient", patient(number, "Newcomer"));

		assertThat(conditional.status()).as(conditional.body()).isEqualTo(409);
		assertRefusedSayingOnlyThat(conditional, stored, family);
		assertThat(conditional.body()).doesNotContain(organisation.substring("Organization/".length()), "Y99901",
				"Uniqueness Surgery");
		assertThat(plain.status()).isEqualTo(409);
		assertRefusedSayingOnlyThat(plain, stored, family);
		assertThat(byTheCustodian.status()).as("the same answer to a writer who can see them").isEqualTo(409);
		assertThat(byTheCustodian.outcome().getIssueFirstRep().getDiagnostics())
			.isEqualTo(conditional.outcome().getIssueFirstRep().getDiagnostics());
		Response found = this.gp.post("/fhir/Patient", patient(number, "Newcomer"), "If-None-Exist", ifNoneExist);
		assertThat(found.status()).as("a conditional create that finds them stores nothing").isEqualTo(200);
		assertThat(countWith(number)).isEqualTo(1);
		FhirHttp admin = FhirHttp.as(this.port, "admin");
		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			Bundle events = admin.get("/fhir/AuditEvent?entity=" + stored + "&_count=100").resource(Bundle.class);
			assertThat(events.getEntry()).as("the disclosure to the nurse is audited with the person it concerns")
				.anySatisfy((entry) -> {
					AuditEvent event = (AuditEvent) entry.getResource();
					assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
					assertThat(event.getOutcomeDesc()).contains("409")
						.contains("NHS number is recorded here")
						.doesNotContain(number);
					assertThat(event.getAgentFirstRep().getAltId()).isEqualTo("community-nurse");
				});
		});
	}

	@Test
	void ofParallelWritersOfOneNumberExactlyOneSucceeds() throws Exception {
		String number = TestNhsNumbers.unused();
		int writers = 8;
		CountDownLatch ready = new CountDownLatch(writers);
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(writers);
		List<Future<Response>> responses = new ArrayList<>();
		try {
			for (int i = 0; i < writers; i++) {
				FhirHttp writer = new FhirHttp(this.port);
				writer.accessToken();
				String body = patient(number, "Parallel" + i);
				responses.add(pool.submit(() -> {
					ready.countDown();
					go.await();
					return writer.post("/fhir/Patient", body);
				}));
			}
			ready.await(1, TimeUnit.MINUTES);
			go.countDown();
			List<Integer> statuses = new ArrayList<>();
			for (Future<Response> future : responses) {
				Response response = future.get(3, TimeUnit.MINUTES);
				statuses.add(response.status());
				if (response.status() != 201) {
					assertThat(response.status()).as(response.body()).isEqualTo(409);
					assertThat(response.outcome().getIssueFirstRep().getDiagnostics())
						.isEqualTo(UniqueNhsNumbers.ALREADY_RECORDED);
				}
			}
			assertThat(statuses).filteredOn((status) -> status == 201).hasSize(1);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(countWith(number)).isEqualTo(1);
	}

	@Test
	void anUpdateMayKeepItsNumberOrMoveToAFreeOneWhichFreesTheOldButNotTakeAnother() {
		String old = TestNhsNumbers.unused();
		String free = TestNhsNumbers.unused();
		String taken = TestNhsNumbers.unused();
		String id = created(this.gp.post("/fhir/Patient", patient(old, "Mover"))).substring("Patient/".length());
		String holder = created(this.gp.post("/fhir/Patient", patient(taken, "Holder")));

		assertThat(update(id, old, "Mover Again").status()).as("keeping its own number").isEqualTo(200);
		Response takes = update(id, taken, "Mover");
		assertThat(takes.status()).as(takes.body()).isEqualTo(409);
		assertRefusedSayingOnlyThat(takes, holder, "Holder");
		assertThat(this.gp.get("/fhir/Patient/" + id).resource(Patient.class).getIdentifierFirstRep().getValue())
			.isEqualTo(old);
		Response moved = update(id, free, "Mover");
		assertThat(moved.status()).as(moved.body()).isEqualTo(200);

		assertThat(this.gp.post("/fhir/Patient", patient(free, "Late")).status()).isEqualTo(409);
		created(this.gp.post("/fhir/Patient", patient(old, "Successor")));
	}

	@Test
	void anUpdateThatDropsTheNumberFreesIt() {
		String number = TestNhsNumbers.unused();
		String id = created(this.gp.post("/fhir/Patient", patient(number, "Dropper"))).substring("Patient/".length());
		Patient without = new Patient().addName(new HumanName().setFamily("Dropper"));
		without.setId(id);

		assertThat(this.gp.put("/fhir/Patient/" + id, FhirHttp.json(without)).status()).isEqualTo(200);

		created(this.gp.post("/fhir/Patient", patient(number, "Successor")));
	}

	@Test
	void aDeleteFreesTheNumber() {
		String number = TestNhsNumbers.unused();
		String id = created(this.gp.post("/fhir/Patient", patient(number, "Deleted")));

		Response deleted = this.gp.send("DELETE", "/fhir/" + id, null);
		assertThat(deleted.status()).as(deleted.body()).isIn(200, 204);

		created(this.gp.post("/fhir/Patient", patient(number, "Successor")));
		assertThat(countWith(number)).isEqualTo(1);
	}

	@Test
	void aTransactionWithADuplicateStoresNothing() {
		String stored = TestNhsNumbers.unused();
		String fresh = TestNhsNumbers.unused();
		String holder = created(this.gp.post("/fhir/Patient", patient(stored, "Holder")));
		String family = "Transacted" + System.nanoTime();

		Response duplicate = this.gp.post("/fhir", transaction(patient(fresh, family), patient(stored, family)));
		Response twice = this.gp.post("/fhir", transaction(patient(fresh, family), patient(fresh, family)));

		assertThat(duplicate.status()).as(duplicate.body()).isEqualTo(409);
		assertRefusedSayingOnlyThat(duplicate, holder, "Holder");
		assertThat(twice.status()).as(twice.body()).isEqualTo(409);
		assertThat(this.gp.get("/fhir/Patient?family=" + family).resource(Bundle.class).getEntry())
			.as("nothing of either transaction stored")
			.isEmpty();
		created(this.gp.post("/fhir/Patient", patient(fresh, "Later")));
	}

	@Test
	void aTransactionMayHandANumberOnWhateverOrderItsEntriesRunIn() {
		String first = TestNhsNumbers.unused();
		String second = TestNhsNumbers.unused();
		String one = created(this.gp.post("/fhir/Patient", patient(first, "One"))).substring("Patient/".length());
		String two = created(this.gp.post("/fhir/Patient", patient(second, "Two"))).substring("Patient/".length());

		Response swapped = this.gp.post("/fhir", "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
				+ putEntry(one, second) + "," + putEntry(two, first) + "]}");

		assertThat(swapped.status()).as(swapped.body()).isEqualTo(200);
		assertThat(this.gp.get("/fhir/Patient/" + one).resource(Patient.class).getIdentifierFirstRep().getValue())
			.isEqualTo(second);
		assertThat(this.gp.post("/fhir/Patient", patient(first, "Late")).status()).isEqualTo(409);

		Response replaced = this.gp.post("/fhir",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + "{\"fullUrl\":\"urn:uuid:"
						+ java.util.UUID.randomUUID() + "\",\"resource\":" + patient(second, "New")
						+ ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
						+ "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/" + one + "\"}}]}");

		assertThat(replaced.status()).as("a record deleted and its number given to a new one").isEqualTo(200);
		assertThat(countWith(second)).isEqualTo(1);
	}

	private static String putEntry(String id, String number) {
		Patient patient = new Patient().addName(new HumanName().setFamily("Swapped"));
		patient.setId(id);
		patient.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(number);
		return "{\"fullUrl\":\"Patient/" + id + "\",\"resource\":" + FhirHttp.json(patient)
				+ ",\"request\":{\"method\":\"PUT\",\"url\":\"Patient/" + id + "\"}}";
	}

	@Test
	void aPatientHasOneNhsNumber() {
		String one = TestNhsNumbers.unused();
		String other = TestNhsNumbers.unused();
		Patient two = new Patient().addName(new HumanName().setFamily("Twice"));
		two.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(one);
		two.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(other);

		Response refused = this.gp.post("/fhir/Patient", FhirHttp.json(two));

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		created(this.gp.post("/fhir/Patient", patient(one, "Once")));
		created(this.gp.post("/fhir/Patient", patient(other, "Once")));
	}

	/**
	 * Patients stored before the rule may share a number: the fill records it for the
	 * first stored, and the others may still be updated while they keep it.
	 */
	@Test
	void theFillFromStoredPatientsKeepsTheFirstOfADuplicatedNumber() {
		String number = TestNhsNumbers.unused();
		String first = created(this.gp.post("/fhir/Patient", patient(number, "First")));
		forget(number);
		String second = created(this.gp.post("/fhir/Patient", patient(number, "Second")));
		forget(number);

		assertThat(this.uniqueNhsNumbers.fill()).isPositive();

		assertThat(this.jdbc.queryForObject(
				"SELECT PATIENT_ID FROM " + UniqueNhsNumbers.TABLE + " WHERE NHS_NUMBER = ?", String.class, number))
			.isEqualTo(first.substring("Patient/".length()));
		assertThat(update(second.substring("Patient/".length()), number, "Second Updated").status())
			.as("a duplicate stored before the rule may still be updated")
			.isEqualTo(200);
		assertThat(update(first.substring("Patient/".length()), number, "First Updated").status()).isEqualTo(200);
		assertThat(this.gp.post("/fhir/Patient", patient(number, "Third")).status()).isEqualTo(409);
	}

	/** As if the Patient had been stored before the server kept the rule. */
	private void forget(String number) {
		this.jdbc.update("DELETE FROM " + UniqueNhsNumbers.TABLE + " WHERE NHS_NUMBER = ?", number);
	}

	private static void assertRefusedSayingOnlyThat(Response response, String storedId, String storedFamily) {
		OperationOutcome outcome = response.outcome();
		assertThat(outcome.getIssue()).hasSize(1);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).isEqualTo(UniqueNhsNumbers.ALREADY_RECORDED);
		assertThat(response.body()).doesNotContain(storedId.substring(storedId.indexOf('/') + 1))
			.doesNotContain(storedFamily);
		assertThat(response.header("Location")).isNull();
		assertThat(response.header("ETag")).isNull();
	}

	private Response update(String id, String number, String family) {
		Patient patient = new Patient().addName(new HumanName().setFamily(family));
		patient.setId(id);
		patient.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(number);
		return this.gp.put("/fhir/Patient/" + id, FhirHttp.json(patient));
	}

	/** Counted from the entries the writer is shown. */
	private int countWith(String number) {
		return this.gp.get("/fhir/Patient?identifier=" + NhsNumber.SYSTEM + "%7C" + number + "&_count=20")
			.resource(Bundle.class)
			.getEntry()
			.size();
	}

	private void refuseToShare(String patient, String organisation) {
		created(this.gp.post("/fhir/Consent", "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{"
				+ "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":"
				+ "\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"" + patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"" + patient + "\"}],\"organization\":[{\"reference\":\"" + organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}"));
	}

	private static String patient(String number, String family) {
		Patient patient = new Patient().addName(new HumanName().setFamily(family));
		patient.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(number);
		return FhirHttp.json(patient);
	}

	private static String transaction(String... patients) {
		StringBuilder bundle = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
		for (int i = 0; i < patients.length; i++) {
			bundle.append((i > 0) ? "," : "")
				.append("{\"fullUrl\":\"urn:uuid:")
				.append(java.util.UUID.randomUUID())
				.append("\",\"resource\":")
				.append(patients[i])
				.append(",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}");
		}
		return bundle.append("]}").toString();
	}

	private static String created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return response.header("Location").replaceAll(".*/fhir/([A-Za-z]+/[^/]+)/_history/.*", "$1");
	}

}
