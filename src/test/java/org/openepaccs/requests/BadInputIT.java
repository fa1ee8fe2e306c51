package org.openepaccs.requests;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.UUID;
import java.util.stream.Stream;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestPatients;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input gets a 4xx with a FHIR OperationOutcome saying what is wrong, never a 500 or
 * a stack trace, and stores nothing.
 */
@EpaccsIntegrationTest
class BadInputIT {

	@LocalServerPort
	int port;

	FhirHttp http;

	String marker;

	@BeforeEach
	void connect() {
		this.http = new FhirHttp(this.port);
		this.marker = UUID.randomUUID().toString();
	}

	@Test
	void malformedJson() {
		Response response = this.http.post("/fhir/Patient", validPatient().substring(0, 60));

		assertClientError(response, 400, "Failed to parse");
		assertNothingStored();
	}

	@Test
	void malformedXml() {
		Response response = this.http.post("/fhir/Patient",
				"<Patient xmlns=\"http://hl7.org/fhir\"><identifier><value value=\"" + this.marker + "\"/>",
				"Content-Type", "application/fhir+xml");

		assertClientError(response, 400, "XML");
		// a client that sent XML is answered in XML
		assertThat(response.header("Content-Type")).startsWith("application/fhir+xml");
		assertNothingStored();
	}

	@Test
	void invalidCodeInABoundElement() {
		Response response = this.http.post("/fhir/Patient", validPatient().replace("\"male\"", "\"banana\""));

		assertClientError(response, 400, "banana");
		assertNothingStored();
	}

	@Test
	void unknownResourceType() {
		assertClientError(this.http.post("/fhir/PalliativeWish", validPatient()), 404, "Unknown resource type");
		assertClientError(this.http.get("/fhir/PalliativeWish?name=x"), 404, "Unknown resource type");
	}

	@Test
	void bodyOfAnotherResourceType() {
		Response response = this.http.post("/fhir/Observation", validPatient());

		assertClientError(response, 400, "Patient");
		assertNothingStored();
	}

	@Test
	void wrongOrMissingContentType() {
		assertClientError(this.http.post("/fhir/Patient", validPatient(), "Content-Type", "text/plain"), 400,
				"Content-Type");
		assertClientError(this.http.send("POST", "/fhir/Patient", validPatient()), 400, "Content-Type");
		assertNothingStored();
	}

	@Test
	void bodyOverTheSizeLimitDeclaredUpFront() {
		Response response = this.http.post("/fhir/Patient", oversizedPatient());

		assertClientError(response, 413, "larger than this server accepts");
		assertNothingStored();
	}

	@Test
	void chunkedBodyOverTheSizeLimit() {
		byte[] body = oversizedPatient().getBytes();
		// an InputStream publisher has no length, so the client sends it chunked
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.http.fhirBase() + "/Patient"))
			.header("Content-Type", FhirHttp.FHIR_JSON)
			.header("Authorization", "Bearer " + this.http.accessToken())
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
			.build();

		assertClientError(this.http.send(request), 413, "larger than this server accepts");
		assertNothingStored();
	}

	@Test
	void invalidResourceIds() {
		assertClientError(this.http.get("/fhir/Patient/has%20space"), 400, "Resource id");
		assertClientError(this.http.get("/fhir/Patient/" + "a".repeat(65)), 400, "Resource id");
		assertClientError(this.http.put("/fhir/Patient/bad*id", validPatient().replace("{", "{\"id\":\"bad*id\",")),
				400, "Resource id");
		assertClientError(this.http.get("/fhir/Patient/abc/_history/notanumber"), 400, "Version id");
		assertNothingStored();
	}

	@Test
	void idInTheBodyDiffersFromTheUrl() {
		Response response = this.http.put("/fhir/Patient/one-id",
				validPatient().replace("{", "{\"id\":\"another-id\","));

		assertClientError(response, 400, "another-id");
		assertNothingStored();
	}

	@Test
	void unknownSearchParameterNamesTheParameterUnlessTheClientAsksForLenientHandling() {
		assertClientError(this.http.get("/fhir/Patient?favourite-colour=blue"), 400, "favourite-colour");

		Response lenient = this.http.get("/fhir/Patient?favourite-colour=blue&_count=1", "Prefer", "handling=lenient");
		assertThat(lenient.status()).isEqualTo(200);
		assertThat(lenient.resource(Bundle.class).getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
	}

	@Test
	void malformedConditionalHeaders() {
		assertClientError(this.http.put("/fhir/Patient/some-id", validPatient().replace("{", "{\"id\":\"some-id\","),
				"If-Match", "version one"), 400, "If-Match");
		assertClientError(this.http.get("/fhir/Patient/some-id", "If-None-Match", "W/\"x\""), 400, "If-None-Match");
		assertNothingStored();
	}

	@Test
	void transactionThatIsNotABundle() {
		assertClientError(this.http.post("/fhir", validPatient()), 400, "Bundle");
		assertNothingStored();
	}

	@Test
	void malformedPercentEncodingOrSearchValues() {
		assertClientError(this.http.getVerbatim("/fhir/Patient?name=%ZZ"), 400, "percent-encoding");
		assertClientError(this.http.get("/fhir/Patient?birthdate=1944-13-45"), 400, "1944-13-45");
		assertClientError(this.http.get("/fhir/Observation?subject:Patient.birthdate=1944-13-45"), 400, "1944-13-45");
		assertClientError(this.http.get("/fhir/Patient?_sort=Margaret"), 400, "_sort");
		assertClientError(this.http.get("/fhir/Patient?_count=many"), 400, "_count");
	}

	@Test
	void requestTheContainerCannotParseIsStillAnOperationOutcome() {
		Response response = this.http.get("/fhir/Patient", "X-Padding", "a".repeat(20_000));

		assertClientError(response, 400, "could not be read");
	}

	@Test
	void theErrorPathItselfIsNotAPage() {
		assertClientError(this.http.get("/error"), 404, "/fhir");
	}

	@Test
	void aDecimalThatWouldPoisonTheRecordCannotBeStored() {
		for (String poison : new String[] { "1e-999999", "1e999999", "123456789012345678901234567890123456" }) {
			Response response = this.http.post("/fhir/Observation", observationWithValue(poison));

			assertClientError(response, 400, "/valueQuantity/value");
		}
		Response xml = this.http.post("/fhir/Observation",
				"<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><code><text value=\"weight\"/>"
						+ "</code><valueQuantity><value value=\"1e-999999\"/></valueQuantity></Observation>",
				"Content-Type", "application/fhir+xml");
		assertClientError(xml, 400, "exponent");
		assertClientError(this.http.get("/fhir/Observation?value-quantity=gt1e999999"), 400, "exponent");
		assertThat(this.http.get("/fhir/Observation?identifier=" + TestPatients.TEST_IDS + "%7C" + this.marker)
			.resource(Bundle.class)
			.getEntry()).isEmpty();

		Response ordinary = this.http.post("/fhir/Observation", observationWithValue("72.5"));
		assertThat(ordinary.status()).isEqualTo(201);
		assertThat(this.http
			.get("/fhir/Observation/"
					+ ordinary.resource(org.hl7.fhir.r4.model.Observation.class).getIdElement().getIdPart())
			.status()).isEqualTo(200);
	}

	@Test
	void aBodyNestedDeeperThanTheLimitIsRefusedBeforeParsing() {
		String deep = validPatient().replace("\"gender\"",
				"\"extension\":[" + "{\"url\":\"http://x\",\"extension\":[".repeat(40) + "{\"url\":\"http://x\"}"
						+ "]}".repeat(40) + "],\"gender\"");

		assertClientError(this.http.post("/fhir/Patient", deep), 400, "nested more than");
		assertNothingStored();
	}

	@Test
	void pathOutsideTheApi() {
		Response response = this.http.get("/no/such/place");

		assertClientError(response, 404, "/fhir");
	}

	@Test
	void negativeOrMalformedPagingParameters() {
		assertClientError(this.http.get("/fhir/Patient?_offset=-1"), 400, "_offset");
		assertClientError(this.http.get("/fhir/Patient?_offset=0x10"), 400, "_offset");
		assertClientError(this.http.get("/fhir/Patient?_count=-1"), 400, "_count");
		assertClientError(this.http.get("/fhir/Patient?_count=99999999999999999999"), 400, "_count");
		assertClientError(this.http.get("/fhir/Patient/_history?_count=-5"), 400, "_count");
	}

	@Test
	void numberAndQuantitySearchValuesThatAreNotDecimals() {
		String fourHundredDigits = "9".repeat(400);
		assertClientError(this.http.get("/fhir/Observation?value-quantity=0x10"), 400, "value-quantity");
		assertClientError(this.http.get("/fhir/Observation?value-quantity=gt0x10"), 400, "value-quantity");
		assertClientError(this.http.get("/fhir/Observation?value-quantity=" + fourHundredDigits), 400,
				"value-quantity");
		assertClientError(this.http.get("/fhir/Observation?value-quantity=" + fourHundredDigits + "%7C%7Ckg"), 400,
				"epaccs.http.limits.max-decimal-digits");
		assertClientError(this.http.get("/fhir/RiskAssessment?probability=0x10"), 400, "probability");
		assertClientError(this.http.get("/fhir/RiskAssessment?probability=" + fourHundredDigits), 400, "probability");
		assertClientError(this.http.get("/fhir/Encounter?length=lt0x10"), 400, "length");
		assertClientError(this.http.get("/fhir/Observation?has-member.value-quantity=0x10"), 400,
				"has-member.value-quantity");
		assertClientError(this.http.get("/fhir/Observation?has-member:Observation.value-quantity=" + fourHundredDigits),
				400, "max-decimal-digits");
		assertClientError(this.http.get("/fhir/Patient?_has:Observation:subject:value-quantity=0x10"), 400,
				"_has:Observation:subject:value-quantity");
		assertClientError(this.http.get("/fhir/Patient?birthdate=0x10"), 400, "0x10");
		assertClientError(this.http.get("/fhir/Patient?birthdate=gt" + fourHundredDigits), 400, "date");

		assertThat(this.http.get("/fhir/Observation?value-quantity=le72.5%7Chttp://unitsofmeasure.org%7Ckg").status())
			.isEqualTo(200);
		assertThat(this.http.get("/fhir/RiskAssessment?probability=gt-0.1e-5").status()).isEqualTo(200);
	}

	@Test
	void nulCharactersNeverReachTheDatabase() {
		for (String query : new String[] { "name=%00", "name=a%00b", "_id=%00", "family:exact=x%00",
				"identifier=a%7C%00", "name%00=x" }) {
			Response response = this.http.get("/fhir/Patient?" + query);

			assertClientError(response, 400, "NUL");
			assertThat(response.body()).doesNotContain("UTF8").doesNotContain("byte sequence");
		}
		assertClientError(this.http.post("/fhir/Patient/_search", "name=a%00b", "Content-Type",
				"application/x-www-form-urlencoded"), 400, "NUL");
		assertClientError(this.http.get("/fhir/Patient/a%00b"), 400, "could not be read");

		Response body = this.http.post("/fhir/Patient", validPatient().replace("Testperson", "Test\\u0000person"));
		assertClientError(body, 400, "/name/0/family");
		assertThat(body.body()).doesNotContain("insert into").doesNotContain("byte sequence");
		assertNothingStored();
	}

	@Test
	void malformedVersionsAndDatesInConditionalHeaders() {
		String id = storedPatientId();
		String update = validPatient().replace("{", "{\"id\":\"" + id + "\",");

		for (String etag : new String[] { "W/\"abc\"", "W/", "\"", "W/\"1", "\"1" }) {
			assertClientError(this.http.put("/fhir/Patient/" + id, update, "If-Match", etag), 400, "If-Match");
			assertClientError(this.http.get("/fhir/Patient/" + id, "If-None-Match", etag), 400, "If-None-Match");
		}
		for (String date : new String[] { "abc", "2020-01-01", "Mon, 99 Foo 2020" }) {
			assertClientError(this.http.get("/fhir/Patient/" + id, "If-Modified-Since", date), 400,
					"If-Modified-Since");
		}
		assertThat(this.http.get("/fhir/Patient/" + id, "If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT").status())
			.isEqualTo(200);
		assertClientError(this.http.get("/fhir/Patient/x/_history/abc"), 400, "Version id");
		assertClientError(this.http.get("/fhir/Patient/" + id + "/_history/abc"), 400, "Version id");
		assertUnchanged(id);
	}

	@Test
	void patchWithoutATargetOrWithAMalformedPatch() {
		String id = storedPatientId();
		String patient = "/fhir/Patient/" + id;
		String replaceGender = "[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"female\"}]";

		assertClientError(patch("/fhir/Patient", JSON_PATCH, replaceGender), 400, "PATCH needs the id");
		assertClientError(patch("/fhir/Patient?", JSON_PATCH, replaceGender), 400, "PATCH needs the id");
		assertClientError(patch("/fhir/Patient?identifier=", JSON_PATCH, replaceGender), 400, "");
		assertClientError(patch(patient, JSON_PATCH, "[{\"op\":\"replace\",\"value\":\"female\"}]"), 400, "\"path\"");
		assertClientError(patch(patient, JSON_PATCH, "[{\"op\":\"frob\",\"path\":\"/gender\"}]"), 400, "\"op\"");
		assertClientError(patch(patient, JSON_PATCH, "[{\"op\":\"replace\",\"path\":\"/gender\"}]"), 400, "\"value\"");
		assertClientError(patch(patient, JSON_PATCH, null), 400, "body is empty");
		assertClientError(patch(patient, FhirHttp.FHIR_JSON, null), 400, "body is empty");
		assertClientError(patch(patient, FhirHttp.FHIR_JSON, fhirPathPatch("delete", "Patient..name", "")), 400,
				"not a valid FHIRPath expression");
		assertClientError(patch(patient, FhirHttp.FHIR_JSON, fhirPathPatch("delete", "", "")), 400, "\"path\"");
		assertClientError(patch(patient, FhirHttp.FHIR_JSON, fhirPathPatch("add", "Patient", "")), 400, "\"name\"");
		assertClientError(patch(patient, FhirHttp.FHIR_JSON, validPatient()), 400, "Parameters");
		assertClientError(patch(patient, "application/xml-patch+xml", "<diff"), 400, "XML Patch");
		assertClientError(
				patch(patient, FhirHttp.FHIR_JSON, fhirPathPatch("delete", "Patient" + ".name".repeat(5000), "")), 400,
				"epaccs.http.limits.max-patch-path-length");
		assertUnchanged(id);
	}

	@Test
	void aLongFhirPathPatchPathInATransactionIsAClientError() {
		String id = storedPatientId();
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
				+ fhirPathPatch("delete", "Patient" + ".name".repeat(5000), "")
				+ ",\"request\":{\"method\":\"PATCH\",\"url\":\"Patient/" + id + "\"}}]}";

		assertClientError(this.http.post("/fhir", transaction), 400, "max-patch-path-length");
		assertUnchanged(id);
	}

	@Test
	void transactionAndBatchEntriesGetTheChecksOfARequestOfTheirOwn() {
		String id = storedPatientId();
		String update = validPatient().replace("{", "{\"id\":\"" + id + "\",");

		assertClientError(bundle("batch", "{\"request\":{\"method\":\"GET\",\"url\":\"Patient?name=a%00b\"}}"), 400,
				"In /entry/0/request/url: The search parameter name contains a NUL character");
		assertClientError(bundle("transaction",
				"{\"resource\":" + validPatient()
						+ ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\""
						+ "name=x&".repeat(51) + "\"}}"),
				400, "epaccs.http.limits.max-search-parameters");
		assertClientError(
				bundle("batch", "{\"request\":{\"method\":\"GET\",\"url\":\"Observation?value-quantity=0x10\"}}"), 400,
				"Bundle.entry[0]: The search parameter value-quantity");
		assertClientError(bundle("batch", "{\"request\":{\"method\":\"GET\",\"url\":\"Patient?_offset=-1\"}}"), 400,
				"Bundle.entry[0]: _offset");
		assertClientError(
				bundle("transaction",
						"{\"resource\":" + fhirPathPatch("add", "Patient", "")
								+ ",\"request\":{\"method\":\"PATCH\",\"url\":\"Patient/" + id + "\"}}"),
				400, "Bundle.entry[0]: FHIRPath Patch operation 0 (add) needs a \"name\"");
		assertClientError(bundle("transaction", "{\"resource\":" + update
				+ ",\"request\":{\"method\":\"PUT\",\"url\":\"Patient/" + id + "\",\"ifMatch\":\"W/\\\"1\"}}"), 400,
				"request.ifMatch");
		assertNothingStoredBut(id);
		assertUnchanged(id);
	}

	@Test
	void limitsAreEnforcedBeforeWorkStartsAndNamed() {
		assertClientError(this.http.get("/fhir/Patient?" + "name=x&".repeat(51)), 400,
				"at most 50 (epaccs.http.limits.max-search-parameters)");
		assertClientError(this.http.get("/fhir/Patient?_id=" + "x,".repeat(100) + "x"), 400,
				"at most 100 (epaccs.http.limits.max-or-values)");
		assertClientError(this.http.get("/fhir/Patient?_sort=name,birthdate,gender,family,given,_id"), 400,
				"at most 5 (epaccs.http.limits.max-sort-keys)");
		assertClientError(this.http.get("/fhir/Patient?" + "_revinclude=Observation:subject&".repeat(11)), 400,
				"at most 10 (epaccs.http.limits.max-includes)");
		assertClientError(this.http.post("/fhir/Patient", validPatient(), "If-None-Exist", "name=x&".repeat(51)), 400,
				"epaccs.http.limits.max-search-parameters");
		String entry = "{\"request\":{\"method\":\"GET\",\"url\":\"Patient/x\"}}";
		assertClientError(
				this.http.post("/fhir", "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
						+ (entry + ",").repeat(1000) + entry + "]}"),
				400, "at most 1000 (epaccs.http.limits.max-transaction-entries)");
		assertClientError(
				this.http.post("/fhir/Patient", validPatient().replace("Testperson", "x".repeat(1024 * 1024 + 1))), 400,
				"at most 1048576 (epaccs.http.limits.max-string-length)");
		assertClientError(
				this.http.post("/fhir/Patient",
						validPatient().replace("\"gender\"",
								"\"address\":[" + "{},".repeat(10_000) + "{}],\"gender\"")),
				400, "at most 10000 (epaccs.http.limits.max-array-length)");
		assertNothingStored();

		String id = storedPatientId();
		String test = "{\"op\":\"test\",\"path\":\"/gender\",\"value\":\"male\"}";
		assertClientError(patch("/fhir/Patient/" + id, JSON_PATCH, "[" + (test + ",").repeat(100) + test + "]"), 400,
				"at most 100 (epaccs.http.limits.max-patch-operations)");
		assertUnchanged(id);
	}

	/**
	 * A Patient with 10,000 extensions (about 390 kB, inside every byte limit) costs the
	 * validator tens of seconds of CPU: it is refused by counting, before any parser or
	 * validator sees it, alone and as a transaction entry.
	 */
	@Test
	void aResourceCostlyToValidateIsRefusedBeforeValidation() {
		String extension = "{\"url\":\"https://example.org/fhir/StructureDefinition/x\",\"valueString\":\"x\"}";
		String costly = validPatient().replace("\"gender\"",
				"\"extension\":[" + (extension + ",").repeat(9_999) + extension + "],\"gender\"");

		assertClientError(this.http.post("/fhir/Patient", costly), 400,
				"at most 1000 (epaccs.http.limits.max-extensions-per-resource)");
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + costly
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}";
		assertClientError(this.http.post("/fhir", transaction), 400, "epaccs.http.limits.max-extensions-per-resource");
		assertNothingStored();
	}

	@Test
	void hapisOwnClientErrorsNameNoJavaClasses() {
		String id = storedPatientId();

		// a JSON Pointer with a bad escape: HAPI's message names the library's classes
		Response response = patch("/fhir/Patient/" + id, JSON_PATCH, "[{\"op\":\"remove\",\"path\":\"/name/~2\"}]");

		assertClientError(response, 400, "HAPI-1272");
		assertUnchanged(id);
	}

	private static final String JSON_PATCH = "application/json-patch+json";

	private Response bundle(String type, String entries) {
		return this.http.post("/fhir",
				"{\"resourceType\":\"Bundle\",\"type\":\"" + type + "\",\"entry\":[" + entries + "]}");
	}

	/** Of the patients with this test's marker, only the one the test stored is there. */
	private void assertNothingStoredBut(String id) {
		Bundle search = this.http.get("/fhir/Patient?identifier=" + TestPatients.TEST_IDS + "%7C" + this.marker)
			.resource(Bundle.class);
		assertThat(search.getEntry()).singleElement()
			.satisfies((entry) -> assertThat(entry.getResource().getIdElement().getIdPart()).isEqualTo(id));
	}

	private Response patch(String path, String contentType, String body) {
		return this.http.send("PATCH", path, body, "Content-Type", contentType);
	}

	private static String fhirPathPatch(String type, String path, String moreParts) {
		return "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"operation\",\"part\":["
				+ "{\"name\":\"type\",\"valueCode\":\"" + type + "\"},{\"name\":\"path\",\"valueString\":\"" + path
				+ "\"}" + moreParts + "]}]}";
	}

	/** A patient stored for this test, whose identifier is this test's marker. */
	private String storedPatientId() {
		Response created = this.http.post("/fhir/Patient", validPatient());
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.resource(org.hl7.fhir.r4.model.Patient.class).getIdElement().getIdPart();
	}

	/**
	 * Nothing a refused request sent was applied: still the first version, still male.
	 */
	private void assertUnchanged(String id) {
		org.hl7.fhir.r4.model.Patient patient = this.http.get("/fhir/Patient/" + id)
			.resource(org.hl7.fhir.r4.model.Patient.class);
		assertThat(patient.getMeta().getVersionId()).isEqualTo("1");
		assertThat(patient.getGender().toCode()).isEqualTo("male");
	}

	private String validPatient() {
		return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + TestPatients.TEST_IDS
				+ "\",\"value\":\"" + this.marker + "\"}],\"gender\":\"male\",\"name\":[{\"family\":\"Testperson\"}]}";
	}

	private String observationWithValue(String value) {
		return "{\"resourceType\":\"Observation\",\"identifier\":[{\"system\":\"" + TestPatients.TEST_IDS
				+ "\",\"value\":\"" + this.marker + "\"}],\"status\":\"final\",\"code\":{\"text\":\"weight\"},"
				+ "\"valueQuantity\":{\"value\":" + value + ",\"unit\":\"kg\"}}";
	}

	private String oversizedPatient() {
		String padding = "x".repeat(1024);
		String names = String.join(",", Stream.generate(() -> "\"" + padding + "\"").limit(10 * 1024 + 10).toList());
		return validPatient().replace("\"family\":\"Testperson\"",
				"\"family\":\"Testperson\",\"given\":[" + names + "]");
	}

	private void assertNothingStored() {
		Response search = this.http
			.get("/fhir/Patient?identifier=" + TestPatients.TEST_IDS + "%7C" + this.marker + "&_summary=count");
		assertThat(search.status()).isEqualTo(200);
		assertThat(search.resource(Bundle.class).getTotal()).as("resources stored by a refused request").isZero();
	}

	static void assertClientError(Response response, int status, String diagnosticsContain) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.header("Content-Type")).matches("application/fhir\\+(json|xml).*");
		assertThat(response.outcome().getIssueFirstRep().getSeverity().toCode()).isEqualTo("error");
		assertThat(response.diagnostics()).contains(diagnosticsContain);
		assertThat(response.body()).doesNotContainPattern("\\bat [a-z]+\\.[a-z]+\\.")
			.doesNotContain("Exception:")
			.doesNotContain("java.lang")
			.doesNotContainPattern(
					"\\b(?:java|javax|jakarta|ca\\.uhn|org\\.hibernate|org\\.postgresql|org\\.hl7|com\\.github|com\\.fasterxml)\\.")
			.doesNotContainPattern("[A-Za-z](?:Exception|Error)\\b")
			.doesNotContain("[Source:")
			.doesNotContain("ERROR:");
	}

}
