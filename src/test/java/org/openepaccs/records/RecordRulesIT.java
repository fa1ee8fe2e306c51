package org.openepaccs.records;

import org.openepaccs.common.NhsNumber;
import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rules of the record that span resources, enforced on write with 422 whether or not a
 * profile is declared.
 */
@EpaccsIntegrationTest
class RecordRulesIT {

	@LocalServerPort
	int port;

	FhirHttp http;

	String patient;

	String practice;

	@BeforeEach
	void newPatient() {
		this.http = new FhirHttp(this.port);
		Organization surgery = new Organization();
		surgery.setName("Rules Surgery");
		this.practice = "Organization/" + this.http.post("/fhir/Organization", FhirHttp.json(surgery))
			.resource(Organization.class)
			.getIdElement()
			.getIdPart();
		Patient person = new Patient();
		person.addName().setFamily("Rules");
		person.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(TestNhsNumbers.unused());
		this.patient = "Patient/" + this.http.post("/fhir/Patient", FhirHttp.json(person))
			.resource(Patient.class)
			.getIdElement()
			.getIdPart();
	}

	@Test
	void aPersonHasAtMostOneActiveRegisterEntry() {
		Response first = this.http.post("/fhir/EpisodeOfCare", registerEntry("active", "2026-01-05", null));
		assertThat(first.status()).isEqualTo(201);

		Response second = this.http.post("/fhir/EpisodeOfCare", registerEntry("active", "2026-02-01", null));

		assertThat(second.status()).isEqualTo(422);
		assertThat(second.diagnostics()).contains("already has an active palliative care register entry");
		assertThat(second.outcome().getIssueFirstRep().getCode().toCode()).isEqualTo("business-rule");

		String firstId = first.header("Location").replaceAll(".*/EpisodeOfCare/([^/]+)/.*", "$1");
		String finished = registerEntry("finished", "2026-01-05", "2026-01-31").replaceFirst("\\{",
				"{\"id\":\"" + firstId + "\",");
		Response finishing = this.http.put("/fhir/EpisodeOfCare/" + firstId, finished);
		assertThat(finishing.status()).as(finishing.body()).isEqualTo(200);
		assertThat(this.http.post("/fhir/EpisodeOfCare", registerEntry("active", "2026-02-01", null)).status())
			.isEqualTo(201);
	}

	@Test
	void aRegisterEntryCannotEndBeforeItStarts() {
		Response response = this.http.post("/fhir/EpisodeOfCare",
				registerEntry("finished", "2026-03-01", "2026-02-01"));

		assertThat(response.status()).isEqualTo(422);
		assertThat(response.diagnostics()).contains("cannot end before it starts");
		assertThat(response.outcome().getIssueFirstRep().getExpression()).hasToString("[EpisodeOfCare.period.end]");
	}

	@Test
	void aPersonHasAtMostOneActiveCprDecision() {
		Response first = this.http.post("/fhir/Flag", cprFlag("active", "450476008"));
		assertThat(first.status()).isEqualTo(201);

		Response second = this.http.post("/fhir/Flag", cprFlag("active", "450475007"));

		assertThat(second.status()).isEqualTo(422);
		assertThat(second.diagnostics()).contains("already has an active CPR decision");
		assertThat(this.http.post("/fhir/Flag", cprFlag("inactive", "450475007")).status()).isEqualTo(201);
	}

	@Test
	void aSecondChoiceNeedsAFirstChoiceOfTheSameKind() {
		Response orphan = this.http.post("/fhir/Observation", preference("108401000000102", 2));
		assertThat(orphan.status()).isEqualTo(422);
		assertThat(orphan.diagnostics()).contains("needs a first choice (rank 1) of the same kind (place of death)");

		assertThat(this.http.post("/fhir/Observation", preference("110481000000108", 1)).status()).isEqualTo(201);
		assertThat(this.http.post("/fhir/Observation", preference("108401000000102", 2)).status()).isEqualTo(201);
	}

	@Test
	void aFirstAndSecondChoiceCanArriveInOneTransaction() {
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + "{\"resource\":"
				+ preference("110481000000108", 1) + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}},"
				+ "{\"resource\":" + preference("108401000000102", 2)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";

		Response response = this.http.post("/fhir", transaction);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
	}

	@Test
	void aTransactionCannotAddTwoActiveRegisterEntriesForOnePerson() {
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + "{\"resource\":"
				+ registerEntry("active", "2026-01-05", null)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"EpisodeOfCare\"}}," + "{\"resource\":"
				+ registerEntry("active", "2026-01-06", null)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"EpisodeOfCare\"}}]}";

		Response response = this.http.post("/fhir", transaction);

		assertThat(response.status()).as(response.body()).isEqualTo(422);
		assertThat(response.diagnostics()).contains("more than one active palliative care register entry")
			.as("the refusal names the entry it was raised on")
			.containsPattern("^Entry [01] \\(no fullUrl, POST EpisodeOfCare\\): ");
		assertThat(this.http.get("/fhir/EpisodeOfCare?patient=" + this.patient).resource(Bundle.class).getEntry())
			.as("nothing of the refused transaction is stored")
			.isEmpty();
	}

	@Test
	void anActualPlaceOfDeathNeedsTheDeathRecorded() {
		Response whileAlive = this.http.post("/fhir/Observation", actualPlaceOfDeath());
		assertThat(whileAlive.status()).isEqualTo(422);
		assertThat(whileAlive.diagnostics()).contains("only be recorded for a person whose death is recorded");

		Patient died = this.http.get("/fhir/" + this.patient).resource(Patient.class);
		died.setDeceased(new DateTimeType("2026-06-03T04:15:00+01:00"));
		assertThat(this.http.put("/fhir/" + this.patient, FhirHttp.json(died)).status()).isEqualTo(200);

		assertThat(this.http.post("/fhir/Observation", actualPlaceOfDeath()).status()).isEqualTo(201);
	}

	@Test
	void aDeathAndThePlaceOfDeathCanArriveInOneTransaction() {
		Patient died = this.http.get("/fhir/" + this.patient).resource(Patient.class);
		died.setDeceased(new DateTimeType("2026-06-03T04:15:00+01:00"));
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + "{\"resource\":"
				+ FhirHttp.json(died) + ",\"request\":{\"method\":\"PUT\",\"url\":\"" + this.patient + "\"}},"
				+ "{\"resource\":" + actualPlaceOfDeath()
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";

		Response response = this.http.post("/fhir", transaction);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
	}

	@Test
	void anotherPersonsDeathInTheSameTransactionDoesNotCount() {
		Patient someoneElse = this.http.get("/fhir/" + newPerson("Other")).resource(Patient.class);
		someoneElse.setDeceased(new DateTimeType("2026-06-03T04:15:00+01:00"));
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + "{\"resource\":"
				+ FhirHttp.json(someoneElse) + ",\"request\":{\"method\":\"PUT\",\"url\":\"Patient/"
				+ someoneElse.getIdElement().getIdPart() + "\"}}," + "{\"resource\":" + actualPlaceOfDeath()
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";

		Response response = this.http.post("/fhir", transaction);

		assertThat(response.status()).as(response.body()).isEqualTo(422);
		assertThat(response.diagnostics()).contains("only be recorded for a person whose death is recorded");
		assertThat(this.http.get("/fhir/Patient/" + someoneElse.getIdElement().getIdPart())
			.resource(Patient.class)
			.hasDeceased()).as("nothing of the refused transaction is stored").isFalse();
	}

	@Test
	void aNewPersonsDeathAndPlaceOfDeathCanArriveInOneTransactionByUrnUuid() {
		Patient died = new Patient();
		died.addName().setFamily("Rules");
		died.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(TestNhsNumbers.unused());
		died.setDeceased(new DateTimeType("2026-06-03T04:15:00+01:00"));
		String person = "urn:uuid:" + java.util.UUID.randomUUID();
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + "{\"fullUrl\":\""
				+ person + "\",\"resource\":" + FhirHttp.json(died)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}," + "{\"resource\":"
				+ actualPlaceOfDeath().replace(this.patient, person)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";

		Response response = this.http.post("/fhir", transaction);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
	}

	@Test
	void anotherPersonsFirstChoiceInTheSameTransactionDoesNotCount() {
		String someoneElse = newPerson("Other");
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + "{\"resource\":"
				+ preference("110481000000108", 1).replace(this.patient, someoneElse)
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}," + "{\"resource\":"
				+ preference("108401000000102", 2) + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";

		Response response = this.http.post("/fhir", transaction);

		assertThat(response.status()).as(response.body()).isEqualTo(422);
		assertThat(response.diagnostics()).contains("needs a first choice (rank 1) of the same kind");
		assertThat(this.http.get("/fhir/Observation?subject=" + someoneElse).resource(Bundle.class).getEntry())
			.as("nothing of the refused transaction is stored")
			.isEmpty();
	}

	/**
	 * Eight writers at once each add an active register entry for the same person, who
	 * has none: one is stored, the others are refused.
	 */
	@Test
	void concurrentWritersStoreOneActiveRegisterEntryPerPerson() throws Exception {
		List<Integer> statuses = inParallel(8,
				(http) -> http.post("/fhir/EpisodeOfCare", registerEntry("active", "2026-01-05", null)).status());

		assertThat(statuses).as("statuses").filteredOn((status) -> status == 201).hasSize(1);
		assertThat(statuses).filteredOn((status) -> status != 201).allMatch((status) -> status == 422 || status == 409);
		assertThat(this.http.get("/fhir/EpisodeOfCare?status=active&patient=" + this.patient)
			.resource(Bundle.class)
			.getEntry()).hasSize(1);
	}

	/** The same for active CPR decisions, each in a transaction of its own. */
	@Test
	void concurrentWritersStoreOneActiveCprDecisionPerPerson() throws Exception {
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
				+ cprFlag("active", "450476008") + ",\"request\":{\"method\":\"POST\",\"url\":\"Flag\"}}]}";

		List<Integer> statuses = inParallel(8, (http) -> http.post("/fhir", transaction).status());

		assertThat(statuses).as("statuses").filteredOn((status) -> status == 200).hasSize(1);
		assertThat(statuses).filteredOn((status) -> status != 200).allMatch((status) -> status == 422 || status == 409);
		assertThat(this.http.get("/fhir/Flag?subject=" + this.patient).resource(Bundle.class).getEntry()).hasSize(1);
	}

	/**
	 * Runs the request on that many threads released together, each with its own client,
	 * and gives their statuses.
	 */
	private List<Integer> inParallel(int writers, java.util.function.Function<FhirHttp, Integer> request)
			throws Exception {
		List<FhirHttp> clients = new java.util.ArrayList<>();
		for (int i = 0; i < writers; i++) {
			FhirHttp client = new FhirHttp(this.port);
			client.accessToken();
			clients.add(client);
		}
		java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
		try {
			List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
			for (FhirHttp client : clients) {
				answers.add(pool.submit(() -> {
					start.await();
					return request.apply(client);
				}));
			}
			List<Integer> statuses = new java.util.ArrayList<>();
			for (java.util.concurrent.Future<Integer> answer : answers) {
				statuses.add(answer.get(120, java.util.concurrent.TimeUnit.SECONDS));
			}
			return statuses;
		}
		finally {
			pool.shutdownNow();
		}
	}

	private String newPerson(String family) {
		Patient person = new Patient();
		person.addName().setFamily(family);
		person.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue(TestNhsNumbers.unused());
		return "Patient/" + this.http.post("/fhir/Patient", FhirHttp.json(person))
			.resource(Patient.class)
			.getIdElement()
			.getIdPart();
	}

	private String actualPlaceOfDeath() {
		return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
				+ "\"http://snomed.info/sct\",\"code\":\"876879006\"}],\"text\":\"Died at home\"},"
				+ "\"subject\":{\"reference\":\"" + this.patient + "\"},\"effectiveDateTime\":\"2026-06-03\","
				+ "\"component\":[{\"code\":{\"coding\":[{\"system\":\"https://fhir.openepaccs.org/CodeSystem/"
				+ "epaccs-observation-code\",\"code\":\"preferred-place-achieved\"}]},\"valueBoolean\":true}]}";
	}

	private String registerEntry(String status, String start, String end) {
		return "{\"resourceType\":\"EpisodeOfCare\",\"status\":\"" + status + "\",\"type\":[{\"coding\":[{\"system\":"
				+ "\"http://snomed.info/sct\",\"code\":\"103735009\",\"display\":\"Palliative care\"}]}],"
				+ "\"patient\":{\"reference\":\"" + this.patient + "\"},\"managingOrganization\":{\"reference\":\""
				+ this.practice + "\"},\"period\":{\"start\":\"" + start + "\""
				+ ((end != null) ? ",\"end\":\"" + end + "\"" : "") + "}}";
	}

	private String cprFlag(String status, String code) {
		return "{\"resourceType\":\"Flag\",\"status\":\"" + status + "\",\"code\":{\"coding\":[{\"system\":"
				+ "\"http://snomed.info/sct\",\"code\":\"" + code + "\"}]},\"subject\":{\"reference\":\"" + this.patient
				+ "\"},\"period\":{\"start\":\"2026-02-10\"},\"author\":{\"reference\":\"" + this.practice + "\"}}";
	}

	private String preference(String code, int rank) {
		return "{\"resourceType\":\"Observation\",\"extension\":[{\"url\":\"" + RecordMeanings.RANK_EXTENSION
				+ "\",\"valuePositiveInt\":" + rank + "}],\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
				+ "\"http://snomed.info/sct\",\"code\":\"" + code + "\"}],\"text\":\"Preferred place\"},\"subject\":"
				+ "{\"reference\":\"" + this.patient + "\"}}";
	}

}
