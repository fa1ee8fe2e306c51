package org.openepaccs.server;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While the database cannot be reached the server answers 503 with Retry-After and a
 * plain OperationOutcome, never a 500 naming internals, and it recovers by itself when
 * the database is back.
 */
class DatabaseOutageIT {

	@Test
	void answers503DuringAnOutageAndRecovers() {
		TestDatabase postgres = TestDatabase.server();
		String database = postgres.createDatabase();
		try (RunningServer server = RunningServer.startOnPostgres(database,
				"--spring.datasource.hikari.connection-timeout=1500")) {
			FhirHttp http = server.http();
			Response created = http.post("/fhir/Patient",
					FhirHttp.json(new Patient().addName(new HumanName().setFamily("Outage"))));
			assertThat(created.status()).isEqualTo(201);
			String patient = "/fhir/Patient/" + created.resource(Patient.class).getIdElement().getIdPart();

			postgres.setReachable(database, false);
			try {
				for (Response response : new Response[] { http.get(patient), http.get("/fhir/Patient?family=Outage"),
						http.post("/fhir/Patient", FhirHttp.json(new Patient())) }) {
					assertThat(response.status()).as(response.body()).isEqualTo(503);
					assertThat(response.header("Retry-After")).isEqualTo("5");
					assertThat(response.diagnostics()).contains("unavailable");
					assertThat(response.body()).doesNotContain("SQL", "postgres", "Exception", "jdbc", "HHH");
				}
			}
			finally {
				postgres.setReachable(database, true);
			}

			Awaitility.await()
				.atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofSeconds(1))
				.until(() -> http.get(patient).status() == 200);
		}
	}

}
