package org.openepaccs.http;

import java.time.Duration;

import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What operations staff and monitoring rely on: probes, metrics, request ids, CORS and
 * clean logs.
 */
@EpaccsIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class OperationsIT {

	@LocalServerPort
	int port;

	FhirHttp http;

	@BeforeEach
	void connect() {
		this.http = new FhirHttp(this.port);
	}

	@Test
	void livenessAndReadinessProbesAndReadinessChecksTheDatabase() {
		FhirHttp loadBalancer = FhirHttp.anonymous(this.port);
		assertThat(loadBalancer.get("/actuator/health/liveness").body()).contains("\"status\":\"UP\"");
		Response readiness = loadBalancer.get("/actuator/health/readiness");
		assertThat(readiness.status()).isEqualTo(200);
		assertThat(readiness.body()).contains("\"status\":\"UP\"").contains("\"db\"");
	}

	@Test
	void prometheusMetricsIncludeRequestsAndTheConnectionPoolForAnAdministratorOnly() {
		this.http.get("/fhir/Patient?_count=1");

		Response anonymous = FhirHttp.anonymous(this.port).get("/actuator/prometheus");
		assertThat(anonymous.status()).isEqualTo(401);
		assertThat(anonymous.body()).doesNotContain("hikaricp");
		Response clinicalSystem = this.http.get("/actuator/prometheus");
		assertThat(clinicalSystem.status()).as("a token without the admin role").isEqualTo(403);
		assertThat(clinicalSystem.body()).doesNotContain("hikaricp");
		assertThat(FhirHttp.anonymous(this.port).get("/actuator/info").status()).isEqualTo(401);
		assertThat(FhirHttp.anonymous(this.port).get("/actuator/health").status()).isEqualTo(401);

		Response metrics = FhirHttp.as(this.port, "admin").get("/actuator/prometheus");

		assertThat(metrics.status()).isEqualTo(200);
		assertThat(metrics.body()).contains("http_server_requests_seconds_count")
			.contains("hikaricp_connections_active");
	}

	@Test
	void everyResponseCarriesARequestIdThatIsInTheLogsAndInTheResourceVersionItWrote(CapturedOutput output) {
		Response generated = this.http.get("/fhir/Patient?_count=1");
		assertThat(generated.header("X-Request-ID")).matches("[A-Za-z0-9]{16}");
		assertThat(generated.headers("X-Request-ID")).hasSize(1);

		String requestId = "gp-system-" + System.nanoTime();
		Response created = this.http.post("/fhir/Patient", FhirHttp.json(new Patient().setActive(true)), "X-Request-ID",
				requestId);

		assertThat(created.header("X-Request-ID")).isEqualTo(requestId);
		assertThat(created.resource(Patient.class).getMeta().getSource()).endsWith("#" + requestId);
		// the access line is written as the request completes, just after the client has
		// its answer
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(output.getAll())
				.containsPattern("\\[" + requestId + "\\] .*POST /fhir/Patient 201"));
	}

	@Test
	void aRequestIdThatCouldForgeLogLinesIsReplaced() {
		Response response = this.http.get("/fhir/Patient?_count=1", "X-Request-ID",
				"x 2026-11-23 ERROR forged line <script>");

		assertThat(response.header("X-Request-ID")).matches("[A-Za-z0-9]{16}");
	}

	@Test
	void crossOriginBrowserRequestsAreRefusedUnlessTheOriginIsConfigured() {
		Response preflight = this.http.send("OPTIONS", "/fhir/Patient", null, "Origin", "https://elsewhere.example",
				"Access-Control-Request-Method", "GET");
		assertThat(preflight.status()).isEqualTo(403);
		assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
		assertThat(preflight.diagnostics()).contains("Cross-origin");

		Response simple = this.http.get("/fhir/Patient?_count=1", "Origin", "https://elsewhere.example");
		assertThat(simple.status()).isEqualTo(403);
	}

	@Test
	void aRefusedRequestIsOneLogLineWithHapisCodeNotAStackTrace(CapturedOutput output) {
		String requestId = "refused-" + System.nanoTime();
		this.http.put("/fhir/Patient/any-id", "{\"resourceType\":\"Patient\",\"id\":\"any-id\"}", "If-Match",
				"yesterday", "X-Request-ID", requestId);
		this.http.get("/fhir/Patient?birthdate=notadate", "X-Request-ID", requestId);

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(output.getAll()).contains("GET /fhir/Patient 400"));
		assertThat(output.getAll()).containsPattern("\\[" + requestId + "\\] .*Refused with 400")
			.doesNotContain("Exception thrown by interceptor")
			.doesNotContain("notadate");
	}

	@Test
	void identifiableDataNeverReachesTheLogs(CapturedOutput output) {
		String family = "Zqxwvbnmlk" + System.nanoTime();
		String nhsNumber = TestNhsNumbers.unused();
		String patient = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\","
				+ "\"value\":\"" + nhsNumber + "\"}],\"name\":[{\"family\":\"" + family + "\"}]}";

		Response created = this.http.post("/fhir/Patient", patient);
		String id = created.resource(Patient.class).getIdElement().getIdPart();
		this.http.get("/fhir/Patient?family=" + family);
		this.http.get("/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C" + nhsNumber);
		assertThat(this.http.post("/fhir/Patient", patient).status()).as("a second Patient with the number")
			.isEqualTo(409);
		this.http.post("/fhir/Patient", patient.replace("\"name\"", "\"gender\":\"" + family + "\",\"name\""));
		this.http.post("/fhir/Patient", patient.substring(0, patient.length() - 8));
		this.http.put("/fhir/Patient/" + id, patient.replace("{", "{\"id\":\"" + id + "\","), "If-Match", "W/\"9\"");
		this.http.get("/fhir/Patient?birthdate=" + family);
		this.http.get("/fhir/Observation?subject:Patient.birthdate=" + family);
		this.http.get("/fhir/Patient?_sort=" + family);
		this.http.getVerbatim("/fhir/Patient?name=" + family + "%ZZ");
		assertThat(this.http.get("//fhir/Patient/" + nhsNumber).status()).isEqualTo(400);
		this.http.get("/Patient/" + nhsNumber);
		this.http.get("/fhir/Patient?name=" + family, "X-Padding", "a".repeat(20_000));

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(output.getAll()).contains("PUT /fhir/Patient/{id} 412"));
		assertThat(output.getAll()).contains("POST /fhir/Patient 201")
			.doesNotContain(family)
			.doesNotContain(nhsNumber)
			.doesNotContain(id);
	}

}
