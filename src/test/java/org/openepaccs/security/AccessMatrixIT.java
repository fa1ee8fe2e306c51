package org.openepaccs.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
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
 * The role × interaction matrix of the README, over HTTP, with tokens of the embedded
 * issuer's demo clients: every row is one request by one role, the status it must get and
 * the audit event it must leave.
 */
@EpaccsIntegrationTest
class AccessMatrixIT {

	private static final List<String> ROLES = List.of("gp-system", "community-nurse", "ooh-clinician", "spoc-hub",
			"icb-analyst", "admin");

	@LocalServerPort
	int port;

	@Autowired
	EmbeddedIssuerConfig.EmbeddedIssuerKeys issuerKeys;

	@Autowired
	AccessProperties properties;

	FhirHttp gp;

	String patient;

	String organisation;

	@BeforeEach
	void someonesRecord() {
		this.gp = new FhirHttp(this.port);
		this.patient = idOf(this.gp.post("/fhir/Patient",
				FhirHttp.json(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("Matrix")))));
		this.organisation = idOf(
				this.gp.post("/fhir/Organization", FhirHttp.json(new Organization().setName("Matrix"))));
		this.gp.post("/fhir/Observation", weight(this.patient));
	}

	@Test
	void eachRoleGetsWhatTheMatrixSays() {
		// expected statuses in the order of ROLES
		Map<String, int[]> rows = new java.util.LinkedHashMap<>();
		rows.put("read Patient", new int[] { 200, 200, 200, 200, 403, 403 });
		rows.put("search Observation", new int[] { 200, 200, 200, 200, 403, 403 });
		rows.put("search with _include", new int[] { 200, 200, 200, 200, 403, 403 });
		rows.put("history of Patient", new int[] { 200, 200, 200, 200, 403, 403 });
		rows.put("search with _revinclude", new int[] { 200, 200, 200, 200, 403, 403 });
		rows.put("Patient $everything", new int[] { 200, 200, 200, 200, 403, 403 });
		rows.put("read Organization", new int[] { 200, 200, 200, 200, 200, 200 });
		rows.put("create Observation", new int[] { 201, 201, 201, 403, 403, 403 });
		rows.put("create Goal", new int[] { 201, 201, 403, 403, 403, 403 });
		rows.put("update Patient", new int[] { 200, 200, 200, 403, 403, 403 });
		rows.put("delete Observation", new int[] { 200, 403, 403, 403, 403, 403 });
		rows.put("transaction creating a Goal", new int[] { 200, 200, 403, 403, 403, 403 });
		rows.put("$validate", new int[] { 200, 200, 200, 200, 200, 200 });
		rows.put("update a ValueSet", new int[] { 403, 403, 403, 403, 403, 201 });
		rows.put("read Measure", new int[] { 200, 200, 200, 200, 200, 200 });
		rows.put("Measure $evaluate-measure", new int[] { 403, 403, 403, 403, 200, 403 });
		rows.put("search MeasureReport", new int[] { 403, 403, 403, 403, 200, 403 });
		rows.put("create MeasureReport", new int[] { 403, 403, 403, 403, 403, 403 });
		List<String> wrong = new ArrayList<>();
		FhirHttp admin = FhirHttp.as(this.port, "admin");
		for (int role = 0; role < ROLES.size(); role++) {
			FhirHttp http = FhirHttp.as(this.port, ROLES.get(role));
			for (Map.Entry<String, int[]> row : rows.entrySet()) {
				String requestId = "matrix-" + java.util.UUID.randomUUID();
				Response response = request(http, row.getKey(), requestId);
				int expected = row.getValue()[role];
				if (response.status() != expected) {
					wrong.add(ROLES.get(role) + " " + row.getKey() + ": expected " + expected + " but got "
							+ response.status() + " " + response.body());
					continue;
				}
				if (expected == 403) {
					assertThat(response.outcome().getIssueFirstRep().getDiagnostics()).isNotBlank();
				}
				String audited = auditedAs(admin, requestId);
				String expectedAudit = expectedAudit(row.getKey(), expected, ROLES.get(role));
				if (!audited.equals(expectedAudit)) {
					wrong.add(ROLES.get(role) + " " + row.getKey() + ": expected audit [" + expectedAudit
							+ "] but got [" + audited + "]");
				}
			}
		}
		assertThat(wrong).isEmpty();
	}

	/**
	 * The audit events one request must leave: exactly one, naming the interaction, who
	 * and the outcome; a transaction is audited by its entries (one create here) when it
	 * succeeds and as a whole when it is refused.
	 */
	private static String expectedAudit(String row, int status, String client) {
		boolean refused = status >= 400;
		String subtype = switch (row) {
			case "read Patient", "read Organization", "read Measure" -> "read";
			case "search Observation", "search with _include", "search with _revinclude" -> "search-type";
			case "history of Patient" -> "history-instance";
			case "Patient $everything", "$validate", "Measure $evaluate-measure" -> "operation";
			case "search MeasureReport" -> "search-type";
			case "create MeasureReport" -> "create";
			case "create Observation", "create Goal" -> "create";
			case "update Patient" -> "update";
			case "delete Observation" -> "delete";
			case "transaction creating a Goal" -> refused ? "transaction" : "create";
			case "update a ValueSet" -> refused ? "update" : "create";
			default -> throw new IllegalArgumentException(row);
		};
		return subtype + " " + (refused ? "4" : "0") + " " + client;
	}

	/** The events stored for one request id, as "subtype outcome client" lines. */
	private static String auditedAs(FhirHttp admin, String requestId) {
		Response found = admin.get("/fhir/AuditEvent?source:identifier=" + requestId);
		assertThat(found.status()).as(found.body()).isEqualTo(200);
		return found.resource(Bundle.class)
			.getEntry()
			.stream()
			.map((entry) -> (org.hl7.fhir.r4.model.AuditEvent) entry.getResource())
			.map((event) -> event.getSubtypeFirstRep().getCode() + " " + event.getOutcome().toCode() + " "
					+ event.getAgentFirstRep().getAltId())
			.sorted()
			.collect(java.util.stream.Collectors.joining("; "));
	}

	/**
	 * Role × scope × consent state × interaction: what each caller gets, and how many of
	 * the person's observations it sees, for a person who shares their record and for one
	 * who refused to share it (refusal recorded by Y99901, gp-system's organisation).
	 */
	@Test
	void consentAndScopesChangeWhatEachRoleSees() {
		String refused = idOf(this.gp.post("/fhir/Patient", FhirHttp.json(new Patient())));
		this.gp.post("/fhir/Observation", weight(refused));
		refuseToShare(refused);
		String table = """
				client          | scope          | person            | interaction    | status | observations
				gp-system       | default        | shares            | read           | 200    | -
				gp-system       | default        | refused           | read           | 200    | -
				gp-system       | default        | refused           | search         | 200    | 1
				gp-system       | default        | refused           | everything     | 200    | 1
				gp-system       | system/*.read  | shares            | read           | 200    | -
				gp-system       | system/*.read  | shares            | create         | 403    | -
				community-nurse | default        | shares            | search         | 200    | 1
				community-nurse | default        | refused           | read           | 403    | -
				community-nurse | default        | refused           | search         | 200    | 0
				community-nurse | default        | refused           | everything     | 403    | -
				community-nurse | default        | refused+glass     | read           | 200    | -
				community-nurse | default        | refused+glass     | search         | 200    | 1
				community-nurse | default        | refused+glass     | everything     | 200    | 1
				community-nurse | user/*.read    | shares            | create         | 403    | -
				community-nurse | user/*.read    | refused+glass     | read           | 200    | -
				ooh-clinician   | default        | refused           | read           | 403    | -
				ooh-clinician   | default        | refused+glass     | read           | 200    | -
				ooh-clinician   | default        | refused+glass     | search         | 200    | 1
				spoc-hub        | default        | shares            | search         | 200    | 1
				spoc-hub        | default        | refused           | read           | 404    | -
				spoc-hub        | default        | refused           | search         | 200    | 0
				spoc-hub        | default        | refused+glass     | read           | 403    | -
				icb-analyst     | default        | shares            | read           | 403    | -
				icb-analyst     | default        | refused+glass     | read           | 403    | -
				admin           | default        | shares            | search         | 403    | -
				""";
		List<String> wrong = new ArrayList<>();
		Map<String, String> tokens = new java.util.HashMap<>();
		FhirHttp http = FhirHttp.anonymous(this.port);
		table.lines().skip(1).map((line) -> line.split("\\s*\\|\\s*")).forEach((row) -> {
			String client = row[0].trim();
			String token = tokens.computeIfAbsent(client + " " + row[1],
					(key) -> this.gp.token(client, client + "-dev-secret", "default".equals(row[1]) ? null : row[1]));
			String person = row[2].startsWith("refused") ? refused : this.patient;
			String[] glass = row[2].endsWith("+glass")
					? new String[] { "Authorization", "Bearer " + token, "X-Break-Glass", "unconscious, no one to ask" }
					: new String[] { "Authorization", "Bearer " + token };
			Response response = switch (row[3]) {
				case "read" -> http.get("/fhir/" + person, glass);
				case "search" -> http.get("/fhir/Observation?subject=" + person, glass);
				case "everything" -> http.get("/fhir/" + person + "/$everything", glass);
				case "create" -> http.post("/fhir/Observation", weight(person), glass);
				default -> throw new IllegalArgumentException(row[3]);
			};
			String got = response.status() + " | "
					+ (("-".equals(row[5].trim()) || response.status() != 200) ? "-"
							: String.valueOf(response.resource(Bundle.class)
								.getEntry()
								.stream()
								.filter((entry) -> entry.getResource() instanceof Observation)
								.count()));
			String expected = row[4].trim() + " | " + row[5].trim();
			if (!got.equals(expected)) {
				wrong.add(String.join(" | ", row) + ": got " + got + " " + response.body());
			}
		});
		assertThat(wrong).isEmpty();
	}

	@Test
	void aRefusalSaysWhy() {
		Response response = FhirHttp.as(this.port, "icb-analyst").get("/fhir/" + this.patient);

		assertThat(response.status()).isEqualTo(403);
		assertThat(response.diagnostics()).contains("the role icb-analyst may not read Patient");
	}

	@Test
	void aPatientScopedTokenSeesOnlyThatPatient() throws Exception {
		String other = idOf(this.gp.post("/fhir/Patient", FhirHttp.json(new Patient())));
		this.gp.post("/fhir/Observation", weight(other));
		FhirHttp patientApp = FhirHttp.anonymous(this.port);
		String token = patientToken(this.patient.substring("Patient/".length()));

		assertThat(patientApp.get("/fhir/" + this.patient, "Authorization", "Bearer " + token).status()).isEqualTo(200);
		assertThat(patientApp.get("/fhir/" + other, "Authorization", "Bearer " + token).status()).isEqualTo(403);
		Response search = patientApp.get("/fhir/Observation?_total=accurate", "Authorization", "Bearer " + token);
		assertThat(search.status()).as(search.body()).isEqualTo(200);
		Bundle found = search.resource(Bundle.class);
		assertThat(found.getEntry()).isNotEmpty()
			.allSatisfy((entry) -> assertThat(((Observation) entry.getResource()).getSubject().getReference())
				.isEqualTo(this.patient));
		assertThat(found.getTotal()).isEqualTo(found.getEntry().size());
		assertThat(
				patientApp.post("/fhir/Observation", weight(this.patient), "Authorization", "Bearer " + token).status())
			.as("patient/*.rs cannot write")
			.isEqualTo(403);
	}

	private Response request(FhirHttp http, String row, String requestId) {
		String header = "X-Request-ID";
		return switch (row) {
			case "read Patient" -> http.get("/fhir/" + this.patient, header, requestId);
			case "search Observation" -> http.get("/fhir/Observation?subject=" + this.patient, header, requestId);
			case "search with _include" -> http
				.get("/fhir/Observation?subject=" + this.patient + "&_include=Observation:subject", header, requestId);
			case "history of Patient" -> http.get("/fhir/" + this.patient + "/_history", header, requestId);
			case "search with _revinclude" ->
				http.get("/fhir/Patient?_id=" + this.patient.substring("Patient/".length())
						+ "&_revinclude=Observation:subject", header, requestId);
			case "Patient $everything" -> http.get("/fhir/" + this.patient + "/$everything", header, requestId);
			case "read Organization" -> http.get("/fhir/" + this.organisation, header, requestId);
			case "create Observation" -> http.post("/fhir/Observation", weight(this.patient), header, requestId);
			case "create Goal" -> http.post("/fhir/Goal", goal(), header, requestId);
			case "update Patient" -> {
				Patient current = this.gp.get("/fhir/" + this.patient).resource(Patient.class);
				current.getMeta().setVersionId(null);
				yield http.put("/fhir/" + this.patient, FhirHttp.json(current), header, requestId);
			}
			case "delete Observation" -> http.send("DELETE",
					"/fhir/" + idOf(this.gp.post("/fhir/Observation", weight(this.patient))), null, header, requestId);
			case "transaction creating a Goal" -> http.post("/fhir",
					"{\"resourceType\":\"Bundle\",\"type\":" + "\"transaction\",\"entry\":[{\"resource\":" + goal()
							+ ",\"request\":{\"method\":\"POST\",\"url\":\"Goal\"}}]}",
					header, requestId);
			case "$validate" -> http.post("/fhir/Observation/$validate", weight(this.patient), header, requestId);
			case "read Measure" -> http.get("/fhir/Measure/epaccs-register-size", header, requestId);
			case "Measure $evaluate-measure" -> http.get(
					"/fhir/Measure/epaccs-register-size/$evaluate-measure?periodStart=2025-04-01&periodEnd=2025-06-30",
					header, requestId);
			case "search MeasureReport" -> http.get("/fhir/MeasureReport?period=2025-06-30", header, requestId);
			case "create MeasureReport" -> http.post("/fhir/MeasureReport",
					"{\"resourceType\":\"MeasureReport\",\"status\":\"complete\",\"type\":\"summary\","
							+ "\"measure\":\"https://fhir.openepaccs.org/Measure/epaccs-register-size\","
							+ "\"period\":{\"start\":\"2025-04-01\",\"end\":\"2025-06-30\"}}",
					header, requestId);
			case "update a ValueSet" -> {
				String id = "matrix-" + System.nanoTime() % 1_000_000_000;
				yield http.put("/fhir/ValueSet/" + id,
						"{\"resourceType\":\"ValueSet\",\"id\":\"" + id + "\",\"status\":\"draft\"}", header,
						requestId);
			}
			default -> throw new IllegalArgumentException(row);
		};
	}

	/** The person's latest consent to share is a refusal, recorded by Y99901. */
	private void refuseToShare(String patient) {
		Organization surgery = new Organization().setName("Matrix Surgery");
		surgery.addIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y99901");
		String organisation = idOf(this.gp.post("/fhir/Organization", FhirHttp.json(surgery)));
		idOf(this.gp.post("/fhir/Consent", "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{"
				+ "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":"
				+ "\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"" + patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"" + patient + "\"}],\"organization\":[{\"reference\":\"" + organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}"));
	}

	private String goal() {
		return "{\"resourceType\":\"Goal\",\"lifecycleStatus\":\"active\",\"description\":{\"text\":\"Stay at home\"},"
				+ "\"subject\":{\"reference\":\"" + this.patient + "\"}}";
	}

	private static String weight(String patient) {
		return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
				+ "\"http://loinc.org\",\"code\":\"29463-7\"}]},\"subject\":{\"reference\":\"" + patient + "\"},"
				+ "\"valueQuantity\":{\"value\":61.5,\"unit\":\"kg\",\"system\":\"http://unitsofmeasure.org\","
				+ "\"code\":\"kg\"}}";
	}

	private String patientToken(String patientId) throws Exception {
		TestTokens tokens = new TestTokens(this.issuerKeys, this.properties, this.port);
		return tokens.signed(tokens.claims()
			.subject("patient-app")
			.claim("scope", "patient/*.rs launch/patient")
			.claim("patient", patientId)
			.claim("epaccs_role", "clinician")
			.claim("epaccs_ods", null)
			.build());
	}

	private static String idOf(Response created) {
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.header("Location").replaceAll(".*/fhir/([A-Za-z]+/[^/]+)/_history/.*", "$1");
	}

}
