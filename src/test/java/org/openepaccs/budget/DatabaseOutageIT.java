package org.openepaccs.budget;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While the database cannot be reached the server answers 503 with Retry-After and a
 * plain OperationOutcome, never a 500 naming internals, and it recovers by itself when
 * the database is back. Nothing of the requests it could not serve reaches the log.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseOutageIT {

	// would be bound into the failed INSERT, which HAPI's default logging prints
	private static final String SECRET_NAME = "Quennell-Outage-Secret";

	private static final String SECRET_NHS_NUMBER = "9990000328";

	@Test
	void answers503DuringAnOutageAndRecovers(CapturedOutput log) {
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
						http.post("/fhir/Patient", FhirHttp.json(secretPatient())) }) {
					assertThat(response.status()).as(response.body()).isEqualTo(503);
					assertThat(response.header("Retry-After")).isEqualTo("5");
					assertThat(response.diagnostics()).contains("unavailable");
					assertThat(response.body()).doesNotContain("SQL", "postgres", "Exception", "jdbc", "HHH");
				}
				Response readiness = http.get("/actuator/health/readiness");
				assertThat(readiness.status()).as("a load balancer stops sending requests").isEqualTo(503);
				assertThat(readiness.body()).contains("\"status\":\"DOWN\"");
			}
			finally {
				postgres.setReachable(database, true);
			}

			Awaitility.await()
				.atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofSeconds(1))
				.until(() -> http.get(patient).status() == 200);
			assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
			assertThat(http.get("/fhir/Patient?family=" + SECRET_NAME + "&_summary=count")
				.resource(Bundle.class)
				.getTotal()).as("nothing of the refused write stored").isZero();
		}

		assertThat(log.getAll()).as("the log of the outage").doesNotContain(SECRET_NAME, SECRET_NHS_NUMBER);
		assertThat(log.getAll().toLowerCase(java.util.Locale.ROOT)).doesNotContain("insert into", "binding parameter");
	}

	private static Patient secretPatient() {
		Patient patient = new Patient().addName(new HumanName().setFamily(SECRET_NAME));
		patient.addIdentifier().setSystem("https://fhir.nhs.uk/Id/nhs-number").setValue(SECRET_NHS_NUMBER);
		return patient;
	}

}
