package org.openepaccs.security;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.awaitility.Awaitility;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A person who refused to share is invisible to every organisation but the one that
 * recorded the refusal, in reads, searches, includes and history, unless a clinician
 * breaks the glass, which is audited.
 */
@EpaccsIntegrationTest
class ConsentToShareIT {

	@LocalServerPort
	int port;

	FhirHttp gp;

	FhirHttp nurse;

	String patient;

	String family;

	@BeforeEach
	void aPersonWhoRefusedToShare() {
		this.gp = new FhirHttp(this.port); // organisation Y99901
		this.nurse = FhirHttp.as(this.port, "community-nurse"); // organisation Y99902
		Organization surgery = new Organization().setName("Refusal Surgery");
		surgery.addIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y99901");
		String organisation = created(this.gp.post("/fhir/Organization", FhirHttp.json(surgery)));
		this.family = "Refused" + System.nanoTime();
		this.patient = created(this.gp.post("/fhir/Patient",
				FhirHttp.json(new Patient().addName(new HumanName().setFamily(this.family)))));
		created(this.gp.post("/fhir/Observation", "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":"
				+ "{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"29463-7\"}]},\"subject\":{\"reference\":\""
				+ this.patient + "\"},\"valueQuantity\":{\"value\":60,\"unit\":\"kg\"}}"));
		assertThat(this.nurse.get("/fhir/" + this.patient).status()).as("visible before the refusal").isEqualTo(200);
		created(this.gp.post("/fhir/Consent", "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{"
				+ "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":"
				+ "\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"" + this.patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"" + this.patient + "\"}],\"organization\":[{\"reference\":\"" + organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}"));
	}

	@Test
	void otherOrganisationsSeeNothingOfThem() {
		Response read = this.nurse.get("/fhir/" + this.patient);
		assertThat(read.status()).isEqualTo(403);
		assertThat(read.diagnostics()).contains("refused to share", "X-Break-Glass");
		assertThat(FhirHttp.as(this.port, "spoc-hub").get("/fhir/" + this.patient).status())
			.as("a non-clinical role is not even told the record exists")
			.isEqualTo(404);

		Bundle byName = this.nurse.get("/fhir/Patient?family=" + this.family + "&_total=accurate")
			.resource(Bundle.class);
		assertThat(byName.getEntry()).isEmpty();
		assertThat(byName.getTotal()).as("a true total: counted by the query that leaves them out").isZero();
		assertThat(this.nurse.get("/fhir/Observation?subject=" + this.patient).resource(Bundle.class).getEntry())
			.isEmpty();
		assertThat(this.nurse
			.get("/fhir/Observation?code=http://loinc.org%7C29463-7&_include=Observation:subject" + "&_count=200")
			.resource(Bundle.class)
			.getEntry())
			.noneSatisfy((entry) -> assertThat(entry.getResource().getIdElement().getIdPart())
				.isEqualTo(this.patient.substring("Patient/".length())));
		Response history = this.nurse.get("/fhir/" + this.patient + "/_history");
		assertThat(history.status()).as(history.body()).isEqualTo(403);
		assertThat(this.nurse.get("/fhir/Observation/_history").status()).isEqualTo(403);
	}

	@Test
	void theOrganisationThatRecordedTheRefusalStillSeesThem() {
		assertThat(this.gp.get("/fhir/" + this.patient).status()).isEqualTo(200);
		assertThat(this.gp.get("/fhir/Observation?subject=" + this.patient).resource(Bundle.class).getEntry())
			.hasSize(1);
	}

	@Test
	void breakingTheGlassWorksOnEveryPathAndEachUseIsOneAuditedEvent() {
		String observation = this.gp.get("/fhir/Observation?subject=" + this.patient)
			.resource(Bundle.class)
			.getEntryFirstRep()
			.getResource()
			.getIdElement()
			.toUnqualifiedVersionless()
			.getValue();
		Map<String, String[]> uses = new LinkedHashMap<>();
		uses.put("read", new String[] { "GET", "/fhir/" + this.patient, null });
		uses.put("vread", new String[] { "GET", "/fhir/" + this.patient + "/_history/1", null });
		uses.put("history", new String[] { "GET", "/fhir/" + this.patient + "/_history", null });
		uses.put("search", new String[] { "GET", "/fhir/Observation?subject=" + this.patient, null });
		uses.put("search with _include", new String[] { "GET",
				"/fhir/Observation?subject=" + this.patient + "&_include=Observation:subject", null });
		uses.put("$everything", new String[] { "GET", "/fhir/" + this.patient + "/$everything", null });
		uses.put("plan summary", new String[] { "GET", "/fhir/" + this.patient + "/$epaccs-summary", null });
		uses.put("write into the record",
				new String[] { "POST", "/fhir/Observation",
						"{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
								+ "\"http://loinc.org\",\"code\":\"29463-7\"}]},\"subject\":{\"reference\":\""
								+ this.patient + "\"},\"valueQuantity\":{\"value\":58,\"unit\":\"kg\"}}" });
		uses.put("patch", new String[] { "PATCH", "/fhir/" + observation,
				"[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"amended\"}]" });
		Map<String, String> requestIds = new LinkedHashMap<>();
		for (Map.Entry<String, String[]> use : uses.entrySet()) {
			String[] request = use.getValue();
			String requestId = "glass-" + use.getKey().replaceAll("[^a-z]", "") + "-" + System.nanoTime();
			requestIds.put(use.getKey(), requestId);
			String contentType = "PATCH".equals(request[0]) ? "application/json-patch+json" : FhirHttp.FHIR_JSON;
			Response without = this.nurse.send(request[0], request[1], request[2], "Content-Type", contentType);
			if (use.getKey().startsWith("search")) {
				assertThat(without.resource(Bundle.class).getEntry()).as(use.getKey() + " without breaking the glass")
					.isEmpty();
			}
			else {
				assertThat(without.status()).as(use.getKey() + " without breaking the glass: " + without.body())
					.isEqualTo(403);
			}
			Response answered = this.nurse.send(request[0], request[1], request[2], "Content-Type", contentType,
					"X-Break-Glass", "no response at home, " + use.getKey(), "X-Request-ID", requestId);
			assertThat(answered.status()).as(use.getKey() + ": " + answered.body()).isBetween(200, 201);
			assertThat(answered.header("X-Break-Glass-Used")).as(use.getKey()).isEqualTo("true");
			if (request[0].equals("GET")) {
				assertThat(shown(answered)).as(use.getKey() + ": the record is shown")
					.containsAnyOf(this.patient, observation);
			}
		}
		FhirHttp admin = FhirHttp.as(this.port, "admin");
		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			List<AuditEvent> events = auditEventsAbout(admin, this.patient);
			for (Map.Entry<String, String> use : requestIds.entrySet()) {
				assertThat(events).as(use.getKey() + ": one audited event for one use")
					.filteredOn((event) -> use.getValue()
						.equals(event.getSource().getObserver().getIdentifier().getValue()))
					.singleElement()
					.satisfies((event) -> {
						assertThat(event.getAgentFirstRep().getPurposeOfUseFirstRep().getCodingFirstRep().getCode())
							.isEqualTo("ETREAT");
						assertThat(event.getAgentFirstRep().getPurposeOfUseFirstRep().getText())
							.isEqualTo("break-glass: no response at home, " + use.getKey());
					});
			}
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "batch", "transaction" })
	void eachEntryOfABatchIsAuditedAsTheInteractionItIs(String type) {
		String requestId = type + "-" + System.nanoTime();
		Bundle batch = new Bundle().setType(Bundle.BundleType.fromCode(type));
		batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl(this.patient);
		batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Observation?subject=" + this.patient);

		Response answered = this.nurse.post("/fhir", FhirHttp.json(batch), "Content-Type", FhirHttp.FHIR_JSON,
				"X-Break-Glass", "collapsed at home, no other record", "X-Request-ID", requestId);

		assertThat(answered.status()).as(answered.body()).isEqualTo(200);
		Bundle answers = answered.resource(Bundle.class);
		assertThat(answers.getEntry()).extracting((entry) -> entry.getResponse().getStatus())
			.allMatch((status) -> status.startsWith("200"));
		assertThat(((Bundle) answers.getEntry().get(1).getResource()).getEntry())
			.as("the glass is broken for the search entry too")
			.hasSize(1);
		FhirHttp admin = FhirHttp.as(this.port, "admin");
		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			List<AuditEvent> events = auditEventsAbout(admin, this.patient).stream()
				.filter((event) -> requestId.equals(event.getSource().getObserver().getIdentifier().getValue()))
				.toList();
			assertThat(events).extracting((event) -> event.getSubtypeFirstRep().getCode())
				.containsExactlyInAnyOrder("read", "search-type");
			assertThat(events).allSatisfy((event) -> assertThat(
					event.getAgentFirstRep().getPurposeOfUseFirstRep().getCodingFirstRep().getCode())
				.isEqualTo("ETREAT"));
		});
	}

	@Test
	void onlyClinicalRolesMayBreakTheGlass() {
		Response spoc = FhirHttp.as(this.port, "spoc-hub").get("/fhir/" + this.patient, "X-Break-Glass", "curious");

		assertThat(spoc.status()).isEqualTo(403);
		assertThat(spoc.diagnostics()).contains("only clinicians");
	}

	/** The resources an answer shows: the Bundle's entries, or the resource itself. */
	private static List<String> shown(Response answer) {
		IBaseResource resource = FhirContext.forR4Cached().newJsonParser().parseResource(answer.body());
		List<IBaseResource> resources = (resource instanceof Bundle bundle)
				? bundle.getEntry().stream().<IBaseResource>map(Bundle.BundleEntryComponent::getResource).toList()
				: List.of(resource);
		return resources.stream().map((shown) -> shown.getIdElement().toUnqualifiedVersionless().getValue()).toList();
	}

	private static List<AuditEvent> auditEventsAbout(FhirHttp admin, String patient) {
		return admin.get("/fhir/AuditEvent?patient=" + patient + "&_count=200")
			.resource(Bundle.class)
			.getEntry()
			.stream()
			.map((entry) -> (AuditEvent) entry.getResource())
			.toList();
	}

	private static String created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return response.header("Location").replaceAll(".*/fhir/([A-Za-z]+/[^/]+)/_history/.*", "$1");
	}

}
