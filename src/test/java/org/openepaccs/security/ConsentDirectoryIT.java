package org.openepaccs.security;

import org.openepaccs.common.Systems;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A decision to share or not, recorded through one server, holds on every server using
 * the same database, and on a server upgraded from one that did not keep the decisions
 * table.
 */
class ConsentDirectoryIT {

	@Test
	void aDecisionRecordedThroughOneReplicaHoldsOnTheOthersAndAfterAnUpgrade() throws SQLException {
		String database = TestDatabase.server().createDatabase();
		String patient;
		String observationId;
		// the timed full reload is out of the way: the decision counter alone must
		// carry a refusal to the other replica within the bound docs/access.md states
		try (RunningServer one = RunningServer.startOnPostgres(database, "--epaccs.security.consent-refresh=10m");
				RunningServer other = RunningServer.startOnPostgres(database,
						"--epaccs.security.consent-refresh=10m")) {
			FhirHttp gp = one.http(); // organisation Y99901, which records the decision
			FhirHttp nurseElsewhere = FhirHttp.as(other.port(), "community-nurse"); // Y99902
			Organization surgery = new Organization().setName("Replica Surgery");
			surgery.addIdentifier().setSystem(Systems.ODS).setValue("Y99901");
			String organisation = created(gp.post("/fhir/Organization", FhirHttp.json(surgery)));
			patient = created(gp.post("/fhir/Patient",
					FhirHttp.json(new Patient().addName(new HumanName().setFamily("Replica")))));
			assertThat(nurseElsewhere.get("/fhir/" + patient).status()).isEqualTo(200);
			Observation observation = new Observation().setStatus(Observation.ObservationStatus.FINAL);
			observation.getCode().setText("prognosis");
			observation.setSubject(new Reference(patient));
			observationId = created(gp.post("/fhir/Observation", FhirHttp.json(observation)));

			created(gp.post("/fhir/Consent", decision(patient, organisation, "deny", "2026-11-01T10:00:00Z")));
			Awaitility.await()
				.atMost(Duration.ofSeconds(2))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> nurseElsewhere.get("/fhir/" + patient).status() == 403);

			created(gp.post("/fhir/Consent", decision(patient, organisation, "permit", "2026-11-20T10:00:00Z")));
			Awaitility.await()
				.atMost(Duration.ofSeconds(2))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> nurseElsewhere.get("/fhir/" + patient).status() == 200);
			// a decision takes effect when it is recorded: a refusal written later holds,
			// whatever earlier date it claims
			created(gp.post("/fhir/Consent", decision(patient, organisation, "deny", "2026-11-10T10:00:00Z")));
			assertThat(one.http().get("/fhir/" + patient).status()).isEqualTo(200);
			assertThat(FhirHttp.as(one.port(), "community-nurse").get("/fhir/" + patient).status()).isEqualTo(403);

			created(gp.post("/fhir/Consent", decision(patient, organisation, "deny", "2026-11-25T10:00:00Z")));
		}

		// what a server from before the decisions table left: the Consents, no rows
		try (Connection connection = DriverManager.getConnection(database, TestDatabase.server().user(),
				TestDatabase.server().password()); Statement statement = connection.createStatement()) {
			statement.execute("DELETE FROM " + ConsentDirectory.DECISIONS);
			// nor the group labels, as the release before them left its records: only
			// the custodians' label, which the query alone must keep excluding until
			// every record carries its group labels again
			statement.execute("DELETE FROM HFJ_RES_TAG WHERE TAG_ID IN (SELECT TAG_ID FROM HFJ_TAG_DEF"
					+ " WHERE TAG_SYSTEM = '" + RefusalLabels.GROUPS + "')");
		}
		try (RunningServer upgraded = RunningServer.startOnPostgres(database)) {
			FhirHttp nurse = FhirHttp.as(upgraded.port(), "community-nurse");
			Response read = nurse.get("/fhir/" + patient);
			assertThat(read.status()).as("the latest decision, a refusal, still holds").isEqualTo(403);
			assertThat(upgraded.http().get("/fhir/" + patient).status()).isEqualTo(200);
			String search = "/fhir/Observation?subject=" + patient + "&_total=accurate";
			String patientSearch = "/fhir/Patient?_id=" + patient.substring("Patient/".length()) + "&_total=accurate";
			assertThat(nurse.get(search).resource(org.hl7.fhir.r4.model.Bundle.class).getTotal())
				.as("left out by the query from the start, by the custodians' label alone")
				.isZero();
			Awaitility.await()
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(200))
				.alias("the records of a refusal with only the custodians' label get their group labels at start")
				.until(() -> hasGroupLabel(upgraded.http().get("/fhir/" + observationId), Observation.class)
						&& hasGroupLabel(upgraded.http().get("/fhir/" + patient), Patient.class));
			assertThat(nurse.get(search).resource(org.hl7.fhir.r4.model.Bundle.class).getTotal())
				.as("the query leaves them out, its count too")
				.isZero();
			assertThat(nurse.get(patientSearch).resource(org.hl7.fhir.r4.model.Bundle.class).getTotal()).isZero();
		}
	}

	private static boolean hasGroupLabel(Response read, Class<? extends org.hl7.fhir.r4.model.Resource> type) {
		return read.resource(type)
			.getMeta()
			.getSecurity()
			.stream()
			.anyMatch((label) -> RefusalLabels.GROUPS.equals(label.getSystem()) && "any".equals(label.getCode()));
	}

	private static String decision(String patient, String organisation, String provision, String when) {
		return "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
				+ "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
				+ "\"code\":\"IDSCL\"}]}],\"patient\":{\"reference\":\"" + patient + "\"},\"dateTime\":\"" + when
				+ "\",\"performer\":[{\"reference\":\"" + patient + "\"}],\"organization\":[{\"reference\":\""
				+ organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\""
				+ provision + "\"}}";
	}

	private static String created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return response.header("Location").replaceAll(".*/fhir/([A-Za-z]+/[^/]+)/_history/.*", "$1");
	}

}
