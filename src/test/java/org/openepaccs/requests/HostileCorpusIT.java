package org.openepaccs.requests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestPatients;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several hundred malformed and hostile requests, one class of the hardening issue after
 * another (poisoned decimals, hostile search values and sizes, bad encodings, malformed
 * conditional headers and version ids, PATCH edge cases, malformed bodies and
 * transactions, container-level garbage, unknown types and operations). Each must get a
 * 4xx FHIR OperationOutcome that names no Java class, SQL or stack frame; nothing of them
 * may be stored; and the server must go on answering normal requests throughout.
 */
@EpaccsIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class HostileCorpusIT {

	private static final String JSON_PATCH = "application/json-patch+json";

	private static final String XML = "application/fhir+xml";

	@LocalServerPort
	int port;

	private final String marker = UUID.randomUUID().toString();

	@Test
	void everyHostileRequestGetsAClientErrorAndNothingIsStored(CapturedOutput log) {
		FhirHttp http = new FhirHttp(this.port);
		// a Patient whose id is its type's name, for the entry URLs that PUT to "Patient"
		assertThat(http.put("/fhir/Patient/Patient", "{\"resourceType\":\"Patient\",\"id\":\"Patient\"}").status())
			.isIn(200, 201);
		String patient = "Patient/" + http.post("/fhir/Patient", FhirHttp.json(new Patient().setActive(true)))
			.resource(Patient.class)
			.getIdElement()
			.getIdPart();
		List<Probe> corpus = corpus(patient);
		assertThat(corpus.stream().map(Probe::name).collect(Collectors.toSet())).as("distinct requests")
			.hasSize(corpus.size())
			.hasSizeGreaterThanOrEqualTo(300);

		Map<Integer, Integer> statuses = new TreeMap<>();
		List<String> wrong = new ArrayList<>();
		for (int i = 0; i < corpus.size(); i++) {
			Probe probe = corpus.get(i);
			Response response = probe.send(http, this.port);
			statuses.merge(response.status(), 1, Integer::sum);
			String problem = problemWith(response);
			if (problem != null) {
				wrong.add(probe.name() + ": " + problem + " " + abbreviate(response.body()));
			}
			if (i % 50 == 49) {
				assertHealthy(http, patient);
			}
		}
		assertThat(wrong).as("%d requests, statuses %s", corpus.size(), statuses).isEmpty();
		assertThat(statuses.keySet()).as("every request refused as the client's error")
			.allMatch((status) -> status >= 400 && status < 500);
		assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).as("every request answered")
			.isEqualTo(corpus.size());
		assertHealthy(http, patient);
		// every body carried the marker as an identifier value: none may reach the log,
		// nor SQL with its values
		assertThat(log.getAll()).doesNotContain(this.marker)
			.doesNotContainPattern("(?i)insert into \\w+ .*values \\(")
			.doesNotContain("1e-999999");
		for (String type : List.of("Patient", "Observation")) {
			Response stored = http.get(
					"/fhir/" + type + "?identifier=" + TestPatients.TEST_IDS + "%7C" + this.marker + "&_summary=count");
			assertThat(stored.resource(Bundle.class).getTotal()).as(type + " stored by refused requests").isZero();
		}
	}

	/**
	 * An HTTP version or method the server does not implement gets HTTP's own answer (RFC
	 * 9110: 505, and 405 or 501), as a FHIR OperationOutcome that says so, without a
	 * stack trace.
	 */
	@Test
	void unsupportedHttpVersionsAndMethodsGetHttpsOwnStatus() {
		FhirHttp http = new FhirHttp(this.port);
		List<String> wrong = new ArrayList<>();
		for (String version : List.of("HTTP/2.0", "HTTP/1.2", "HTTP/9.9", "HTTP/3", "HTTP/0.9")) {
			Response response = Probe.raw("GET /fhir/metadata " + version + "\r\nHost: x\r\n\r\n", version)
				.send(http, this.port);
			String problem = problemWith(response, Set.of(505));
			if (problem != null) {
				wrong.add(version + ": " + problem + " " + abbreviate(response.body()));
			}
		}
		for (String method : List.of("FOO", "PROPFIND", "CONNECT", "MKCOL", "LOCK", "TRACE", "BREW")) {
			Response response = Probe.raw(method + " /fhir/Patient HTTP/1.1\r\nHost: x\r\n\r\n", method)
				.send(http, this.port);
			String problem = problemWith(response, Set.of(405, 501));
			if (problem != null) {
				wrong.add(method + ": " + problem + " " + abbreviate(response.body()));
			}
		}
		assertThat(wrong).isEmpty();
	}

	/**
	 * Observations that are members of themselves, directly or through each other: stored
	 * as sent (a cycle is not invalid FHIR), without recursing through it, and readable
	 * afterwards.
	 */
	@Test
	void referenceCyclesInATransactionAreStoredWithoutRecursingThroughThem() {
		FhirHttp http = new FhirHttp(this.port);
		String self = "urn:uuid:" + UUID.randomUUID();
		String a = "urn:uuid:" + UUID.randomUUID();
		String b = "urn:uuid:" + UUID.randomUUID();
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + member(self, self)
				+ "," + member(a, b) + "," + member(b, a) + "]}";

		Response response = http.post("/fhir", transaction);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		for (Bundle.BundleEntryComponent entry : response.resource(Bundle.class).getEntry()) {
			String location = entry.getResponse().getLocation();
			Response read = http.get("/fhir/" + location.substring(0, location.indexOf("/_history")));
			assertThat(read.status()).isEqualTo(200);
			assertThat(read.resource(org.hl7.fhir.r4.model.Observation.class).getHasMemberFirstRep().getReference())
				.startsWith("Observation/");
		}
		Response members = http.get("/fhir/Observation?_id="
				+ response.resource(Bundle.class)
					.getEntryFirstRep()
					.getResponse()
					.getLocation()
					.replaceAll("Observation/([^/]+)/.*", "$1")
				+ "&_include=Observation:has-member&_include:iterate=Observation:has-member");
		assertThat(members.status()).isEqualTo(200);
	}

	private static String member(String fullUrl, String memberOf) {
		return "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\","
				+ "\"code\":{\"text\":\"panel\"},\"hasMember\":[{\"reference\":\"" + memberOf + "\"}]},"
				+ "\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}";
	}

	/** Why a response is not an acceptable answer to a hostile request, or null. */
	private static String problemWith(Response response) {
		if (response.status() < 400 || response.status() >= 500) {
			return "status " + response.status();
		}
		return problemWith(response, Set.of(response.status()));
	}

	/**
	 * Why a response is not an OperationOutcome with one of these statuses that keeps the
	 * server's internals to itself, or null.
	 */
	private static String problemWith(Response response, Set<Integer> statuses) {
		if (!statuses.contains(response.status())) {
			return "status " + response.status();
		}
		String type = response.header("Content-Type");
		if (type == null || !type.matches("application/fhir\\+(json|xml).*")) {
			return "not FHIR: " + type;
		}
		try {
			OperationOutcome outcome = response.outcome();
			if (outcome.getIssue().isEmpty() || outcome.getIssueFirstRep().getDiagnostics() == null) {
				return "no diagnostics";
			}
		}
		catch (RuntimeException ex) {
			return "not an OperationOutcome";
		}
		String body = response.body();
		if (body
			.matches("(?s).*\\b(?:java|javax|jakarta|ca\\.uhn|org\\.hibernate|org\\.postgresql|org\\.hl7|"
					+ "com\\.fasterxml|org\\.springframework|org\\.apache)\\..*")
				|| body.matches("(?s).*[A-Za-z](?:Exception|Error)\\b.*")
				|| body.matches("(?s).*\\bat [a-z]+\\.[a-z]+\\..*")
				|| body.matches("(?is).*\\b(?:insert into|select .* from|update .* set|delete from)\\b.*")
				|| body.contains("ERROR:") || body.contains("<html") || body.contains("SQLSTATE")) {
			return "leaks internals";
		}
		return null;
	}

	private static void assertHealthy(FhirHttp http, String patient) {
		assertThat(http.get("/fhir/metadata").status()).isEqualTo(200);
		assertThat(http.get("/fhir/" + patient).status()).isEqualTo(200);
	}

	private List<Probe> corpus(String patient) {
		List<Probe> corpus = new ArrayList<>();
		poisonedDecimals(corpus);
		hostileSearchValues(corpus);
		oversizedQueries(corpus);
		badEncodings(corpus);
		malformedConditionalHeaders(corpus, patient);
		malformedVersions(corpus, patient);
		patchEdgeCases(corpus, patient);
		malformedBodies(corpus, patient);
		malformedTransactions(corpus);
		containerLevelGarbage(corpus);
		unknownTargets(corpus, patient);
		loneSurrogates(corpus);
		nonAsciiConditionalHeaders(corpus, patient);
		misshapenTransactionEntries(corpus);
		jsonPatchesWithEmptySegments(corpus, patient);
		fhirPathPatchesThroughFunctions(corpus, patient);
		emptyMemberNames(corpus);
		unmatchedNullsInPrimitiveArrays(corpus);
		garbageEntryUrls(corpus);
		costlyResources(corpus, patient);
		return corpus;
	}

	/**
	 * Resources made to be costly to validate and index: more extensions or elements than
	 * {@code epaccs.http.limits} allow, sent whole, as transaction entries, and as a
	 * patch whose result would hold them, and nesting deeper than the parser reads.
	 */
	private void costlyResources(List<Probe> corpus, String patient) {
		String extensions = "\"extension\":["
				+ repeat("{\"url\":\"https://epaccs.test/x%d\",\"valueString\":\"v\"}", 1001, ",") + "]";
		String elements = "\"name\":[" + repeat("{\"given\":[" + repeat("\"g\"", 10, ",") + "]}", 2100, ",") + "]";
		String nested = "\"extension\":[" + "{\"url\":\"https://epaccs.test/n\",\"extension\":[".repeat(70)
				+ "{\"url\":\"https://epaccs.test/n\",\"valueString\":\"v\"}" + "]}".repeat(70) + "]";
		corpus.add(Probe.json("POST", "/fhir/Patient", patient(extensions), "Patient with 1,001 extensions"));
		corpus.add(Probe.json("POST", "/fhir", transaction(patient(extensions), "POST", "Patient"),
				"transaction entry with 1,001 extensions"));
		corpus.add(Probe.json("POST", "/fhir/Observation",
				observation("\"component\":[" + repeat("{\"code\":{\"text\":\"c\"}," + extensions + "}", 2, ",") + "]"),
				"Observation with 2,002 extensions in components"));
		corpus.add(Probe.json("POST", "/fhir/Patient", patient(elements), "Patient with 23,100 elements"));
		corpus.add(Probe.json("POST", "/fhir", transaction(patient(elements), "POST", "Patient"),
				"transaction entry with 23,100 elements"));
		corpus.add(Probe.json("POST", "/fhir/Patient", patient(nested), "extensions nested 71 deep"));
		corpus.add(new Probe("PATCH", "/fhir/" + patient,
				"[{\"op\":\"add\",\"path\":\"/extension\",\"value\":["
						+ repeat("{\"url\":\"https://epaccs.test/x%d\",\"valueString\":\"v\"}", 1001, ",") + "]}]",
				new String[] { "Content-Type", JSON_PATCH }, Probe.Kind.CLIENT, "JSON Patch adding 1,001 extensions"));
	}

	private static final List<String> SURROGATES = List.of("\\ud800", "\\udbff", "\\udc00", "\\udfff", "a\\ud83d",
			"\\ude00b", "\\ud800\\ud800", "\\udc00\\ud800");

	/**
	 * Half of a UTF-16 surrogate pair, written with JSON's escape: no character at all.
	 */
	private void loneSurrogates(List<Probe> corpus) {
		for (String surrogate : SURROGATES) {
			corpus.add(Probe.json("POST", "/fhir/Patient", patient("\"name\":[{\"family\":\"" + surrogate + "\"}]"),
					"lone surrogate in family " + surrogate));
			corpus.add(Probe.json("POST", "/fhir/Observation",
					observation("\"note\":[{\"text\":\"" + surrogate + "\"}]"), "lone surrogate in note " + surrogate));
			corpus.add(Probe.json("POST", "/fhir",
					transaction(patient("\"name\":[{\"text\":\"x" + surrogate + "\"}]"), "POST", "Patient"),
					"lone surrogate in transaction " + surrogate));
			corpus.add(Probe.json("POST", "/fhir/Patient", patient("\"" + surrogate + "\":true"),
					"lone surrogate in member name " + surrogate));
		}
	}

	/**
	 * If-Match and If-None-Match values with bytes outside ASCII, as they come off the
	 * wire (ISO-8859-1 bytes, or UTF-8 bytes read as ISO-8859-1).
	 */
	private static void nonAsciiConditionalHeaders(List<Probe> corpus, String patient) {
		List<String> values = List.of("W/\"1\"\u00e9", "\u00e2\u0082\u00ac", "\u00ff", "W/\"\u0085\"",
				"W/\"1\u00c3\u00a9\"", "\u0080\u0081", "*\u00a0");
		for (String value : values) {
			for (String header : List.of("If-Match", "If-None-Match")) {
				corpus.add(Probe.raw(
						"GET /fhir/" + patient + " HTTP/1.1\r\nHost: x\r\n" + header + ": " + value + "\r\n\r\n",
						"non-ASCII " + header + " on GET " + value.hashCode()));
				String body = "{\"resourceType\":\"Patient\",\"id\":\"" + patient.substring(8) + "\",\"active\":false}";
				corpus.add(
						Probe.raw("PUT /fhir/" + patient + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json"
								+ "\r\nContent-Length: " + body.length() + "\r\n" + header + ": " + value + "\r\n\r\n"
								+ body, "non-ASCII " + header + " on PUT " + value.hashCode()));
			}
			corpus.add(Probe.raw("DELETE /fhir/" + patient + " HTTP/1.1\r\nHost: x\r\nIf-Match: " + value + "\r\n\r\n",
					"non-ASCII If-Match on DELETE " + value.hashCode()));
		}
	}

	/**
	 * Entries of a transaction or batch whose request is missing, incomplete or not an
	 * object, or which are not objects themselves.
	 */
	private void misshapenTransactionEntries(List<Probe> corpus) {
		String resource = patient("\"active\":true");
		List<String> requests = List.of("", ",\"request\":[{\"method\":\"POST\",\"url\":\"Patient\"}]",
				",\"request\":\"POST\"", ",\"request\":5", ",\"request\":true", ",\"request\":null", ",\"request\":{}",
				",\"request\":{\"url\":\"Patient\"}", ",\"request\":{\"method\":\"POST\"}",
				",\"request\":{\"method\":[\"POST\"],\"url\":\"Patient\"}",
				",\"request\":{\"method\":\"POST\",\"url\":{\"value\":\"Patient\"}}",
				",\"request\":{\"method\":\"POST\",\"url\":7}");
		for (String type : List.of("transaction", "batch")) {
			for (int i = 0; i < requests.size(); i++) {
				corpus.add(Probe.json(
						"POST", "/fhir", "{\"resourceType\":\"Bundle\",\"type\":\"" + type
								+ "\",\"entry\":[{\"resource\":" + resource + requests.get(i) + "}]}",
						type + " entry request #" + i));
			}
			List<String> notObjects = List.of("[]", "\"entry\"", "42", "[{\"resource\":" + resource + "}]");
			for (int i = 0; i < notObjects.size(); i++) {
				String entry = notObjects.get(i);
				corpus.add(Probe.json("POST", "/fhir",
						"{\"resourceType\":\"Bundle\",\"type\":\"" + type + "\",\"entry\":[" + entry + "]}",
						type + " entry that is not an object #" + i));
			}
			corpus.add(Probe.json("POST", "/fhir",
					"{\"resourceType\":\"Bundle\",\"type\":\"" + type + "\",\"entry\":[{\"resource\":[" + resource
							+ "],\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}",
					type + " entry resource as an array"));
		}
	}

	/**
	 * JSON Pointers with an empty segment, naming a member with an empty name, which no
	 * FHIR resource has, including {@code /} itself.
	 */
	private static void jsonPatchesWithEmptySegments(List<Probe> corpus, String patient) {
		List<String> pointers = List.of("/", "//", "/name//family", "/name/0/", "/extension/", "//active");
		for (String pointer : pointers) {
			for (String operation : List.of("{\"op\":\"add\",\"path\":\"%s\",\"value\":{\"resourceType\":\"Patient\"}}",
					"{\"op\":\"replace\",\"path\":\"%s\",\"value\":false}", "{\"op\":\"remove\",\"path\":\"%s\"}",
					"{\"op\":\"move\",\"from\":\"/active\",\"path\":\"%s\"}",
					"{\"op\":\"copy\",\"from\":\"%s\",\"path\":\"/active\"}")) {
				String patch = "[" + operation.replace("%s", pointer) + "]";
				corpus.add(new Probe("PATCH", "/fhir/" + patient, patch, new String[] { "Content-Type", JSON_PATCH },
						Probe.Kind.CLIENT, "JSON Patch " + patch));
			}
		}
	}

	/**
	 * FHIRPath Patch paths through functions that select values which are no element of
	 * the resource.
	 */
	private static void fhirPathPatchesThroughFunctions(List<Probe> corpus, String patient) {
		List<String> paths = List.of("Patient.descendants()", "Patient.children()", "Patient.descendants().where(true)",
				"Patient.children().first()", "Patient.repeat(children())", "Patient.descendants().last()");
		for (String path : paths) {
			for (String type : List.of("delete", "replace")) {
				corpus.add(new Probe("PATCH", "/fhir/" + patient,
						"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"operation\",\"part\":["
								+ "{\"name\":\"type\",\"valueCode\":\"" + type
								+ "\"},{\"name\":\"path\",\"valueString\":\"" + path
								+ "\"},{\"name\":\"value\",\"valueBoolean\":false}]}]}",
						new String[] { "Content-Type", "application/fhir+json" }, Probe.Kind.CLIENT,
						"FHIRPath Patch " + type + " " + path));
			}
		}
	}

	/**
	 * JSON members whose name is empty (or only the {@code _} of an extension sibling).
	 */
	private void emptyMemberNames(List<Probe> corpus) {
		for (String name : List.of("", "_")) {
			for (String elements : List.of("\"%s\":1", "\"name\":[{\"%s\":\"x\"}]",
					"\"extension\":[{\"url\":\"https://epaccs.test/x\",\"%s\":{}}]", "\"meta\":{\"%s\":[]}",
					"\"address\":[{\"line\":[\"a\"],\"%s\":null}]")) {
				corpus.add(Probe.json("POST", "/fhir/Patient", patient(elements.replace("%s", name)),
						"member named '" + name + "' " + elements));
			}
			corpus.add(Probe.json("POST", "/fhir", transaction(patient("\"" + name + "\":true"), "POST", "Patient"),
					"member named '" + name + "' in a transaction"));
		}
	}

	/**
	 * {@code null} in a primitive's array (or its {@code _} sibling) where the other
	 * array has nothing at that index.
	 */
	private void unmatchedNullsInPrimitiveArrays(List<Probe> corpus) {
		List<String> names = List.of("\"_given\":[null,null,{\"extension\":5}]", "\"_given\":[null]",
				"\"given\":[null]", "\"given\":[null,\"x\"],\"_given\":[null,{\"id\":\"a\"}]",
				"\"given\":[\"x\",null],\"_given\":[{\"id\":\"a\"}]",
				"\"given\":[\"a\",\"b\",\"c\"],\"_given\":[null,null,null,{\"extension\":5}]");
		for (String name : names) {
			corpus
				.add(Probe.json("POST", "/fhir/Patient", patient("\"name\":[{" + name + "}]"), "null in name " + name));
			corpus.add(Probe.json("POST", "/fhir/Patient",
					patient("\"address\":[{" + name.replace("given", "line") + "}]"), "null in address " + name));
		}
	}

	/**
	 * Entry URLs that name no resource type, id or operation, and PUT to a type: 400 (not
	 * the access rules' 403). Patient/Patient exists (see the test).
	 */
	private void garbageEntryUrls(List<Probe> corpus) {
		List<String> urls = List.of("!!@@##", "%%%", "::/x", "Patient/!!", "Pat ient", "Patient/x/_history/!!", "$",
				"../Patient", "Patient//Patient", "patient/x");
		for (String url : urls) {
			for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
				String resource = method.equals("GET") || method.equals("DELETE") ? null : patient("\"active\":true");
				corpus.add(Probe.json("POST", "/fhir",
						"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{"
								+ ((resource != null) ? "\"resource\":" + resource + "," : "")
								+ "\"request\":{\"method\":\"" + method + "\",\"url\":\"" + url + "\"}}]}",
						"transaction " + method + " " + url));
			}
		}
		for (String url : List.of("Patient", "/Patient", "Patient/", "Patient?")) {
			corpus.add(Probe.json("POST", "/fhir", transaction(patient("\"id\":\"Patient\""), "PUT", url),
					"transaction PUT to " + url));
		}
	}

	private static final List<String> POISON = List.of("1e-999999", "1e999999", "1E400", "-1e-400", "9e99999",
			"123456789012345678901234567890123456", "0.0000000000000000000000000000000000001", "1e+1000");

	private void poisonedDecimals(List<Probe> corpus) {
		for (String value : POISON) {
			corpus.add(Probe.json("POST", "/fhir/Observation",
					observation("\"valueQuantity\":{\"value\":" + value + ",\"unit\":\"kg\"}"),
					"poison valueQuantity " + value));
			corpus.add(Probe.json("POST", "/fhir/Observation", observation(
					"\"component\":[{\"code\":{\"text\":\"x\"}," + "\"valueQuantity\":{\"value\":" + value + "}}]"),
					"poison component " + value));
			corpus.add(Probe.json("POST", "/fhir/Observation",
					observation("\"referenceRange\":[{\"low\":{\"value\":" + value + "}}]"),
					"poison referenceRange " + value));
			corpus.add(Probe.json("POST", "/fhir/Patient",
					patient("\"extension\":[{\"url\":\"https://epaccs.test/x\"," + "\"valueDecimal\":" + value + "}]"),
					"poison Patient extension " + value));
			corpus.add(Probe.json(
					"PUT", "/fhir/Observation/poison-" + Math.abs(value.hashCode()), observation("\"id\":\"poison-"
							+ Math.abs(value.hashCode()) + "\",\"valueQuantity\":{\"value\":" + value + "}"),
					"poison PUT " + value));
			corpus.add(new Probe("POST", "/fhir/Observation",
					"<Observation xmlns=\"http://hl7.org/fhir\"><identifier><system value=\"" + TestPatients.TEST_IDS
							+ "\"/><value value=\"" + this.marker + "\"/></identifier><status value=\"final\"/><code>"
							+ "<text value=\"w\"/></code><valueQuantity><value value=\"" + value
							+ "\"/></valueQuantity></Observation>",
					new String[] { "Content-Type", XML }, Probe.Kind.CLIENT, "poison XML " + value));
			corpus.add(Probe.json("POST", "/fhir",
					transaction(observation("\"valueQuantity\":{\"value\":" + value + "}"), "POST", "Observation"),
					"poison in transaction " + value));
		}
	}

	private static void hostileSearchValues(List<Probe> corpus) {
		List<String> numbers = List.of("gt1e999999", "lt1e-999999", "0x1F", "ge9e99999", "NaN", "Infinity", "-Infinity",
				"1..2", "eq", "gt", "1e", "+-1", "１２", "1,2e999999");
		for (String value : numbers) {
			corpus.add(Probe.get("/fhir/Observation?value-quantity=" + encode(value), "value-quantity " + value));
			corpus.add(Probe.get("/fhir/RiskAssessment?probability=" + encode(value), "probability " + value));
			corpus.add(Probe.get("/fhir/Observation?subject:Patient.birthdate=" + encode(value.replace("e", "x")),
					"chained date " + value));
		}
		for (String value : List.of("-1", "abc", "1e3", "99999999999999999999", "-0x1", "1.5")) {
			corpus.add(Probe.get("/fhir/Patient?_count=" + encode(value), "_count " + value));
			corpus.add(Probe.get("/fhir/Patient?_offset=" + encode(value), "_offset " + value));
		}
		for (String date : List.of("2026-13-45", "yesterday", "2026-02-30T25:61", "ge2026-99", "9999999999-01-01",
				"2026-01-01T00:00:00+99:00")) {
			corpus.add(Probe.get("/fhir/Patient?birthdate=" + encode(date), "birthdate " + date));
			corpus.add(Probe.get("/fhir/Observation?date=" + encode(date), "observation date " + date));
			corpus.add(Probe.get("/fhir/Patient?_lastUpdated=" + encode(date), "_lastUpdated " + date));
		}
		corpus.add(Probe.get("/fhir/Patient?_sort=nonsense", "unknown _sort"));
		corpus.add(Probe.get("/fhir/Patient?_include=Nonsense:nothing", "unknown _include"));
		corpus.add(Probe.get("/fhir/Patient?_has:Observation:nothing:code=1", "bad _has"));
		corpus.add(Probe.get("/fhir/Patient?_has=x", "_has without parts"));
		corpus.add(Probe.get("/fhir/Observation?subject.name.x.y.z=1", "deep chain"));
	}

	private static void oversizedQueries(List<Probe> corpus) {
		for (int count : List.of(51, 120, 400)) {
			corpus.add(Probe.get("/fhir/Patient?" + repeat("name=a%d", count, "&"), count + " ANDed parameters"));
			corpus.add(Probe.get("/fhir/Patient?_sort=" + repeat("name", count, ","), count + " _sort keys"));
			corpus.add(Probe.get("/fhir/Patient?name=" + repeat("a%d", count * 2, ","), count * 2 + " OR values"));
			corpus
				.add(Probe.get("/fhir/Patient?" + repeat("_include=Patient:general-practitioner", count / 4 + 11, "&"),
						count + " includes"));
			corpus.add(new Probe("POST", "/fhir/Patient", null,
					new String[] { "If-None-Exist", repeat("name=a%d", count, "&") }, Probe.Kind.CLIENT,
					count + " parameters in If-None-Exist"));
			corpus.add(Probe.get("/fhir/Observation?" + repeat("_has:Observation:subject:code=%d", count, "&"),
					count + " _has"));
		}
		corpus.add(Probe.get("/fhir/Patient?_sort=" + repeat("-_lastUpdated", 6, ","), "six _sort keys"));
	}

	private static void badEncodings(List<Probe> corpus) {
		// (bytes that are not UTF-8, such as %C3%28, are read as U+FFFD and searched for:
		// not an error)
		for (String bad : List.of("%ZZ", "%", "%0", "%G1", "%%", "a%2", "%Z", "%-1", "%+F")) {
			corpus.add(Probe.verbatim("/fhir/Patient?name=" + bad, "encoding name " + bad));
			corpus.add(Probe.verbatim("/fhir/Patient?family=x&given=" + bad, "encoding given " + bad));
		}
		for (String parameter : List.of("name", "family", "identifier", "_id", "address", "telecom", "_content",
				"given")) {
			corpus.add(Probe.verbatim("/fhir/Patient?" + parameter + "=a%00b", "NUL in " + parameter));
		}
		corpus.add(Probe.json("POST", "/fhir/Patient",
				"{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"a\\u0000b\"}]}", "NUL in body"));
		corpus.add(Probe.verbatim("/fhir/Patient/abc%00def", "NUL in id"));
	}

	private static void malformedConditionalHeaders(List<Probe> corpus, String patient) {
		List<String> etags = List.of("W/", "W/\"\"", "abc", "W/\"-1\"", "W/\"1.5\"", "\"\"", "W/\"x\"", "W/\"1",
				"W/\"99999999999999999999\"", ",,,");
		for (String etag : etags) {
			corpus.add(new Probe("PUT", "/fhir/" + patient,
					"{\"resourceType\":\"Patient\",\"id\":\"" + patient.substring(8) + "\",\"active\":false}",
					new String[] { "If-Match", etag }, Probe.Kind.CLIENT, "If-Match on PUT " + etag));
			corpus.add(new Probe("DELETE", "/fhir/" + patient, null, new String[] { "If-Match", etag },
					Probe.Kind.CLIENT, "If-Match on DELETE " + etag));
			corpus.add(new Probe("GET", "/fhir/" + patient, null, new String[] { "If-None-Match", etag + "x" },
					Probe.Kind.CLIENT, "If-None-Match " + etag));
		}
		for (String date : List.of("yesterday", "Mon, 99 Foo 2026", "2026-01-01", "0", "-1")) {
			corpus.add(new Probe("GET", "/fhir/" + patient, null, new String[] { "If-Modified-Since", date },
					Probe.Kind.CLIENT, "If-Modified-Since " + date));
		}
	}

	private static void malformedVersions(List<Probe> corpus, String patient) {
		for (String version : List.of("abc", "-1", "1.5", "0", "99999999999999999999", "1e3", "x_y", "1;drop")) {
			corpus.add(Probe.verbatim("/fhir/" + patient + "/_history/" + version, "_history/" + version));
		}
		corpus.add(Probe.get("/fhir/" + patient + "/_history?_since=garbage", "_history _since garbage"));
		corpus.add(Probe.get("/fhir/" + patient + "/_history?_at=garbage", "_history _at garbage"));
		corpus.add(Probe.get("/fhir/" + patient + "/_history?_count=-5", "_history _count -5"));
	}

	private static void patchEdgeCases(List<Probe> corpus, String patient) {
		String fhirPath = "application/fhir+json";
		corpus.add(new Probe("PATCH", "/fhir/Patient", "[{\"op\":\"replace\",\"path\":\"/active\",\"value\":false}]",
				new String[] { "Content-Type", JSON_PATCH }, Probe.Kind.CLIENT, "type-level PATCH"));
		corpus.add(new Probe("PATCH", "/fhir/Patient?", "[{\"op\":\"replace\",\"path\":\"/active\",\"value\":false}]",
				new String[] { "Content-Type", JSON_PATCH }, Probe.Kind.CLIENT, "empty conditional PATCH"));
		List<String> jsonPatches = List.of("[{\"op\":\"replace\",\"value\":false}]",
				"[{\"op\":\"explode\",\"path\":\"/a\"}]", "[{\"path\":\"/active\"}]", "{}", "[", "", "null",
				"[{\"op\":\"move\",\"from\":\"/nope\",\"path\":\"/active\"}]",
				"[{\"op\":\"test\",\"path\":\"/active\",\"value\":\"maybe\"}]",
				"[{\"op\":\"add\",\"path\":\"/name/99/family\",\"value\":\"x\"}]",
				"[{\"op\":\"replace\",\"path\":\"/resourceType\",\"value\":\"Observation\"}]");
		for (int i = 0; i < jsonPatches.size(); i++) {
			corpus.add(new Probe("PATCH", "/fhir/" + patient, jsonPatches.get(i),
					new String[] { "Content-Type", JSON_PATCH }, Probe.Kind.CLIENT, "JSON Patch #" + i));
		}
		List<String> paths = List.of("Patient.(((", "Patient.name.where(", "",
				"Patient." + "name.".repeat(2000) + "family", "Patient.nonexistent", "%%%", "Patient.active or",
				"1 + ");
		for (int i = 0; i < paths.size(); i++) {
			corpus.add(new Probe("PATCH", "/fhir/" + patient,
					"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"operation\",\"part\":[{\"name\":\"type\","
							+ "\"valueCode\":\"replace\"},{\"name\":\"path\",\"valueString\":\""
							+ paths.get(i).replace("\"", "\\\"")
							+ "\"},{\"name\":\"value\",\"valueBoolean\":false}]}]}",
					new String[] { "Content-Type", fhirPath }, Probe.Kind.CLIENT, "FHIRPath Patch #" + i));
		}
		corpus.add(new Probe("PATCH", "/fhir/" + patient, "[]", new String[] { "Content-Type", "text/plain" },
				Probe.Kind.CLIENT, "PATCH with text/plain"));
		corpus.add(new Probe("PATCH", "/fhir/Patient/does-not-exist-" + UUID.randomUUID(),
				"[{\"op\":\"replace\",\"path\":\"/active\",\"value\":false}]",
				new String[] { "Content-Type", JSON_PATCH }, Probe.Kind.CLIENT, "PATCH of an unknown id"));
	}

	private void malformedBodies(List<Probe> corpus, String patient) {
		String valid = patient("\"gender\":\"male\"");
		List<String> bodies = List.of(valid.substring(0, 40), "[]", "null", "\"Patient\"", "{", "{}",
				"{\"resourceType\":\"Nonsense\"}", "{\"resourceType\":\"Patient\",\"gender\":\"banana\"}",
				"{\"resourceType\":\"Patient\",\"birthDate\":\"yesterday\"}",
				"{\"resourceType\":\"Patient\",\"active\":\"perhaps\"}",
				"{\"resourceType\":\"Patient\",\"name\":\"not an array\"}",
				"{\"resourceType\":\"Patient\",\"id\":\"../../etc/passwd\"}",
				"{\"resourceType\":\"Patient\"," + "\"a\":".repeat(3) + "1}",
				"{\"resourceType\":\"Patient\",\"contained\":[{\"resourceType\":\"Patient\",\"contained\":[]}]}",
				"{\"resourceType\":\"Patient\",\"meta\":{\"lastUpdated\":\"never\"}}",
				"{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<script>alert(1)</script>\"}}",
				"{\"resourceType\":\"Patient\",\"deceasedBoolean\":true,\"deceasedDateTime\":\"2026-01-01\"}",
				"{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}",
				"{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":"
						+ "\"1234567890\"}]}",
				"{\"resourceType\":\"Patient\"," + "\"extension\":[".repeat(80) + "]".repeat(80) + "}");
		for (int i = 0; i < bodies.size(); i++) {
			corpus.add(Probe.json("POST", "/fhir/Patient", bodies.get(i), "Patient body #" + i));
		}
		corpus.add(new Probe("POST", "/fhir/Patient", valid, new String[] { "Content-Type", "text/plain" },
				Probe.Kind.CLIENT, "text/plain body"));
		corpus.add(new Probe("POST", "/fhir/Patient", valid,
				new String[] { "Content-Type", "application/x-www-form-urlencoded" }, Probe.Kind.CLIENT, "form body"));
		corpus.add(new Probe("POST", "/fhir/Patient", "<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"x\"/>",
				new String[] { "Content-Type", XML }, Probe.Kind.CLIENT, "truncated XML"));
		corpus.add(new Probe("POST", "/fhir/Patient",
				"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
						+ "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&e;\"/></name></Patient>",
				new String[] { "Content-Type", XML }, Probe.Kind.CLIENT, "XML external entity"));
		corpus.add(new Probe("POST", "/fhir/Patient", "<Observation xmlns=\"http://hl7.org/fhir\"/>",
				new String[] { "Content-Type", XML }, Probe.Kind.CLIENT, "XML of another type"));
		corpus.add(Probe.json("PUT", "/fhir/" + patient, "{\"resourceType\":\"Patient\",\"id\":\"someone-else\"}",
				"id differs from URL"));
		corpus.add(Probe.json("PUT", "/fhir/Patient/bad$id!", "{\"resourceType\":\"Patient\",\"id\":\"bad$id!\"}",
				"invalid id in PUT"));
		corpus.add(Probe.json("PUT", "/fhir/Patient/" + "x".repeat(65),
				"{\"resourceType\":\"Patient\",\"id\":\"" + "x".repeat(65) + "\"}", "id too long"));
		corpus.add(Probe.json("POST", "/fhir/Observation", valid, "Patient posted as Observation"));
		corpus.add(Probe.json("POST", "/fhir/Patient", "", "empty body"));
	}

	private void malformedTransactions(List<Probe> corpus) {
		String observation = observation("\"valueQuantity\":{\"value\":1}");
		List<String> bundles = List.of(patient("\"active\":true"),
				"{\"resourceType\":\"Bundle\",\"type\":\"collection\"}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + observation + "}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + observation
						+ ",\"request\":{\"method\":\"FETCH\",\"url\":\"Observation\"}}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + observation
						+ ",\"request\":{\"method\":\"POST\",\"url\":\"Nonsense\"}}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"request\":{\"method\":\"PUT\",\"url\":"
						+ "\"Patient/x\"}}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"request\":{\"method\":\"DELETE\",\"url\":"
						+ "\"Patient?\"}}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"request\":{\"method\":\"GET\",\"url\":"
						+ "\"Patient?name=%ZZ\"}}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + observation
						+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\",\"ifNoneExist\":\""
						+ repeat("code=%d", 300, "&") + "\"}}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"fullUrl\":\"urn:uuid:x\",\"resource\":"
						+ observation + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}},{\"fullUrl\":"
						+ "\"urn:uuid:x\",\"resource\":" + observation
						+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
						+ observation.replace("\"status\":\"final\"",
								"\"status\":\"final\",\"subject\":{\"reference\":\"Patient/" + "never-"
										+ UUID.randomUUID() + "\"}")
						+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + repeat(
						"{\"resource\":" + observation + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}",
						1001, ",") + "]}");
		for (int i = 0; i < bundles.size(); i++) {
			corpus.add(Probe.json("POST", "/fhir", bundles.get(i), "transaction #" + i));
		}
	}

	private static void containerLevelGarbage(List<Probe> corpus) {
		corpus.add(new Probe("GET", "/fhir/Patient", null, new String[] { "X-Padding", "a".repeat(20_000) },
				Probe.Kind.CLIENT, "header too large"));
		corpus.add(new Probe("GET", "/fhir/Patient", null, new String[] { "X-Padding", "b".repeat(70_000) },
				Probe.Kind.CLIENT, "header far too large"));
		corpus.add(Probe.raw("GET /fhir/Patient?name=a b HTTP/1.1\r\nHost: x\r\n\r\n", "space in request line"));
		corpus.add(Probe.raw("GET /fhir/" + "p".repeat(70_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "URL far too long"));
		corpus
			.add(Probe.raw("GET /fhir/Patient HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n", "header without colon"));
		corpus.add(Probe.raw("POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
				"negative Content-Length"));
		corpus.add(Probe.raw("POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n\r\n",
				"bad chunk size"));
		corpus.add(Probe.raw("GET /fhir/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", "path traversal"));
		corpus
			.add(Probe.raw("POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json;charset=nope"
					+ "\r\nContent-Length: 2\r\n\r\n{}", "unknown charset"));
	}

	private void unknownTargets(List<Probe> corpus, String patient) {
		for (String path : List.of("/fhir/PalliativeWish", "/fhir/patient", "/fhir/Patient/$nonexistent",
				"/fhir/$nonsense", "/fhir/" + patient + "/$nothing", "/fhir/" + patient + "/_history/1/extra",
				"/fhir/Patient/x/y/z/w", "/fhir/_history?_count=abc", "/fhir/Patient/$validate?mode=explode",
				"/fhir/Observation/$lastn?max=abc", "/fhir/Patient/never-" + UUID.randomUUID(),
				"/fhir/Patient/$everything?_count=-1", "/fhir/Patient/$everything?_type=Nonsense")) {
			corpus.add(Probe.get(path, "unknown " + path));
		}
		corpus.add(new Probe("DELETE", "/fhir/Patient", null, new String[0], Probe.Kind.CLIENT,
				"type-level DELETE without criteria"));
		corpus.add(new Probe("PUT", "/fhir/Patient", patient("\"active\":true"), new String[0], Probe.Kind.CLIENT,
				"type-level PUT"));
		corpus.add(new Probe("POST", "/fhir/" + patient, patient("\"active\":true"), new String[0], Probe.Kind.CLIENT,
				"POST to an instance"));
		corpus.add(new Probe("TRACE", "/fhir/Patient", null, new String[0], Probe.Kind.CLIENT, "TRACE"));
	}

	private String patient(String elements) {
		return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + TestPatients.TEST_IDS
				+ "\",\"value\":\"" + this.marker + "\"}]," + elements + "}";
	}

	private String observation(String elements) {
		return "{\"resourceType\":\"Observation\",\"identifier\":[{\"system\":\"" + TestPatients.TEST_IDS
				+ "\",\"value\":\"" + this.marker + "\"}],\"status\":\"final\",\"code\":{\"text\":\"weight\"},"
				+ elements + "}";
	}

	private static String transaction(String resource, String method, String url) {
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + resource
				+ ",\"request\":{\"method\":\"" + method + "\",\"url\":\"" + url + "\"}}]}";
	}

	/**
	 * {@code count} copies of the pattern, each with its index for {@code %d}, joined.
	 */
	private static String repeat(String pattern, int count, String separator) {
		return IntStream.range(0, count)
			.mapToObj((i) -> pattern.replace("%d", String.valueOf(i)))
			.collect(Collectors.joining(separator));
	}

	private static String encode(String value) {
		return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static String abbreviate(String body) {
		return (body.length() > 300) ? body.substring(0, 300) + "…" : body;
	}

	/** One request of the corpus. */
	record Probe(String method, String path, String body, String[] headers, Kind kind, String name) {

		enum Kind {

			/** Through the HTTP client, with a token. */
			CLIENT,
			/** GET with the path sent exactly as written. */
			VERBATIM,
			/** Bytes on a socket, for what an HTTP client refuses to send. */
			RAW

		}

		static Probe get(String path, String name) {
			return new Probe("GET", path, null, new String[0], Kind.CLIENT, name);
		}

		static Probe verbatim(String path, String name) {
			return new Probe("GET", path, null, new String[0], Kind.VERBATIM, name);
		}

		static Probe json(String method, String path, String body, String name) {
			return new Probe(method, path, body, new String[] { "Content-Type", "application/fhir+json" }, Kind.CLIENT,
					name);
		}

		static Probe raw(String request, String name) {
			return new Probe(null, null, request, new String[0], Kind.RAW, name);
		}

		Response send(FhirHttp http, int port) {
			return switch (this.kind) {
				case CLIENT -> {
					try {
						yield http.send(this.method, this.path, this.body, this.headers);
					}
					catch (IllegalArgumentException ex) {
						// a URI the Java client will not build: send it as written
						yield http.getVerbatim(this.path);
					}
				}
				case VERBATIM -> http.getVerbatim(this.path);
				case RAW -> raw(port, this.body.replace("Host: x\r\n",
						"Host: x\r\nAuthorization: Bearer " + http.accessToken() + "\r\nConnection: close\r\n"));
			};
		}

		private static Response raw(int port, String request) {
			try (Socket socket = new Socket("127.0.0.1", port)) {
				socket.setSoTimeout(60_000);
				OutputStream out = socket.getOutputStream();
				out.write(request.getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
				InputStream in = socket.getInputStream();
				ByteArrayOutputStream answer = new ByteArrayOutputStream();
				in.transferTo(answer);
				String text = answer.toString(StandardCharsets.UTF_8);
				int headersEnd = text.indexOf("\r\n\r\n");
				String head = (headersEnd >= 0) ? text.substring(0, headersEnd) : text;
				String body = (headersEnd >= 0) ? text.substring(headersEnd + 4) : "";
				String[] lines = head.split("\r\n");
				int status = Integer.parseInt(lines[0].split(" ")[1]);
				Map<String, List<String>> headers = new java.util.HashMap<>();
				Set<String> chunked = new LinkedHashSet<>();
				for (int i = 1; i < lines.length; i++) {
					int colon = lines[i].indexOf(':');
					if (colon > 0) {
						String name = lines[i].substring(0, colon).trim();
						String value = lines[i].substring(colon + 1).trim();
						headers.computeIfAbsent(name, (key) -> new ArrayList<>()).add(value);
						if ("Transfer-Encoding".equalsIgnoreCase(name) && "chunked".equalsIgnoreCase(value)) {
							chunked.add(name);
						}
					}
				}
				if (!chunked.isEmpty()) {
					body = dechunk(body);
				}
				return new Response(status, body, java.net.http.HttpHeaders.of(headers, (name, value) -> true));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private static String dechunk(String chunked) {
			StringBuilder body = new StringBuilder();
			int at = 0;
			while (at < chunked.length()) {
				int lineEnd = chunked.indexOf("\r\n", at);
				if (lineEnd < 0) {
					break;
				}
				int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
				if (size == 0) {
					break;
				}
				body.append(chunked, lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + size));
				at = lineEnd + 2 + size + 2;
			}
			return body.toString();
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

}
