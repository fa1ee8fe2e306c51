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
			created(gp.post("/fhir/Observation", FhirHttp.json(observation)));

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
			// nor the security labels that keep people out of searches, except the
			// custodians' label on the Patient, as a release that kept only that label
			// left it, or as if a client had updated it since: the person is not done
			statement.execute("DELETE FROM HFJ_RES_TAG WHERE TAG_ID IN (SELECT TAG_ID FROM HFJ_TAG_DEF"
					+ " WHERE TAG_SYSTEM = '" + RefusalLabels.SYSTEM + "') AND RES_ID NOT IN (SELECT RES_ID"
					+ " FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient')");
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
			Awaitility.await()
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(200))
				.alias("the records of a refusal stored before labels, or with only the custodians' label, are "
						+ "labelled at start-up: the query leaves them out, its count too")
				.until(() -> nurse.get(search).resource(org.hl7.fhir.r4.model.Bundle.class).getTotal() == 0
						&& nurse.get(patientSearch).resource(org.hl7.fhir.r4.model.Bundle.class).getTotal() == 0);
		}
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
