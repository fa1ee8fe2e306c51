package org.openepaccs.export;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bulk export over HTTP: a GP system exports the people of its own practice (and nobody
 * who refused to share with it, nor another practice's people), the admin role exports
 * across the ICB, everyone else is refused, and each export's poll and files serve only
 * the caller who started it.
 */
@EpaccsIntegrationTest
class BulkExportIT {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@LocalServerPort
	int port;

	FhirHttp gp;

	FhirHttp nurse;

	FhirHttp admin;

	String practice;

	String group;

	String shown1;

	String shown2;

	String hidden;

	String otherPractices;

	List<String> shownObservations = new ArrayList<>();

	String hiddenObservation;

	String otherObservation;

	@BeforeEach
	void twoPracticesAndARefusal() {
		this.gp = new FhirHttp(this.port); // system-integration, Y99901
		this.nurse = FhirHttp.as(this.port, "community-nurse"); // clinician, Y99902
		this.admin = FhirHttp.as(this.port, "admin"); // admin, Y99908
		this.practice = organisation("Export Surgery", "Y99901");
		String elsewhere = organisation("Another Surgery", "Y99905");
		String nurses = organisation("Community Nursing", "Y99902");
		this.shown1 = patient("Shown", this.practice);
		this.shown2 = patient("Shown", this.practice);
		this.hidden = patient("Hidden", this.practice);
		this.otherPractices = patient("Elsewhere", elsewhere);
		this.shownObservations.add(observation(this.shown1));
		this.shownObservations.add(observation(this.shown2));
		this.hiddenObservation = observation(this.hidden);
		this.otherObservation = observation(this.otherPractices);
		// the community nurses record the refusal and are its custodian: the practice is
		// an outsider to it from then on
		created(this.nurse.post("/fhir/Consent", refusal(this.hidden, nurses), "X-Sharing-Decision",
				"the patient told the community nurse"));
		assertThat(this.gp.get("/fhir/" + this.hidden).status()).as("hidden from the practice").isEqualTo(404);
		this.group = created(this.gp.post("/fhir/Group",
				"{\"resourceType\":\"Group\",\"type\":\"person\","
						+ "\"actual\":false,\"name\":\"Export Surgery patients\",\"managingEntity\":{\"reference\":\""
						+ this.practice + "\"}}"));
	}

	@Test
	void aGpSystemExportsThePeopleOfItsOwnPracticeAndNobodyHiddenFromIt() throws Exception {
		String kickOffId = "export-kick-off-" + UUID.randomUUID();
		Response kickOff = this.gp.get("/fhir/" + this.group + "/$export", "Prefer", "respond-async", "Accept",
				FhirHttp.FHIR_JSON, "X-Request-ID", kickOffId);
		assertThat(kickOff.status()).as(kickOff.body()).isEqualTo(202);
		String poll = pathOf(kickOff.header("Content-Location"));
		assertThat(poll).contains("$export-poll-status?_jobId=");

		JsonNode manifest = awaitManifest(this.gp, poll);
		assertThat(manifest.get("requiresAccessToken").asBoolean()).isTrue();
		List<IBaseResource> exported = new ArrayList<>();
		String downloadId = "export-download-" + UUID.randomUUID();
		String firstFile = null;
		String firstFileContent = null;
		for (JsonNode output : manifest.get("output")) {
			String file = pathOf(output.get("url").asText());
			firstFile = (firstFile != null) ? firstFile : file;
			Response download = this.gp.get(file, "Accept", "application/fhir+ndjson", "X-Request-ID",
					file.equals(firstFile) ? downloadId : "export-download-" + UUID.randomUUID());
			assertThat(download.status()).as(download.body()).isEqualTo(200);
			firstFileContent = (firstFileContent != null) ? firstFileContent : download.body();
			for (String line : download.body().split("\n")) {
				if (!line.isBlank()) {
					IBaseResource resource = FHIR.newJsonParser().parseResource(line);
					assertThat(resource.fhirType()).isEqualTo(output.get("type").asText());
					exported.add(resource);
				}
			}
		}

		Set<String> patients = ids(exported, Patient.class);
		assertThat(patients).containsExactlyInAnyOrder(this.shown1, this.shown2);
		assertThat(ids(exported, Observation.class)).containsExactlyInAnyOrderElementsOf(this.shownObservations);
		String everything = String.join("\n", exported.stream().map(FhirHttp::json).toList());
		assertThat(everything).as("nothing of the person who refused to share with the practice")
			.doesNotContain(idPart(this.hidden), idPart(this.hiddenObservation));
		assertThat(everything).as("nothing of another practice's people")
			.doesNotContain(idPart(this.otherPractices), idPart(this.otherObservation));

		// the audit trail names the client and organisation of the kick-off and download
		List<AuditEvent> kickOffEvents = auditOf(kickOffId);
		assertThat(kickOffEvents).as(kickOffEvents.stream().map(FhirHttp::json).toList().toString())
			.singleElement()
			.satisfies((event) -> {
				assertThat(event.getOutcomeDesc()).startsWith("bulk export kick-off Group/$export");
				assertThat(FhirHttp.json(event)).contains("gp-system", "Y99901", idPart(this.group));
			});
		String downloaded = idPart(firstFile);
		assertThat(auditOf(downloadId)).singleElement().satisfies((event) -> {
			assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
			assertThat(FhirHttp.json(event)).contains("gp-system", "Y99901", downloaded);
		});

		String pollId = "export-poll-" + UUID.randomUUID();
		assertThat(this.gp.get(poll, "X-Request-ID", pollId).status()).isEqualTo(200);
		assertThat(auditOf(pollId)).singleElement()
			.satisfies(
					(event) -> assertThat(event.getOutcomeDesc()).startsWith("bulk export poll $export-poll-status"));

		// the poll and the files belong to the caller who started the export
		Response othersPoll = this.nurse.get(poll);
		Response unknownPoll = this.nurse.get("/fhir/$export-poll-status?_jobId=" + UUID.randomUUID());
		assertThat(othersPoll.status()).isEqualTo(404);
		assertThat(unknownPoll.status()).isEqualTo(404);
		assertThat(this.admin.get(poll).status()).isEqualTo(404);
		assertThat(this.nurse.get(firstFile, "Accept", FhirHttp.FHIR_JSON).status()).isEqualTo(404);
		assertThat(this.admin.get(firstFile, "Accept", FhirHttp.FHIR_JSON).status()).isEqualTo(404);
		assertThat(this.nurse.get("/fhir/Binary?_id=" + idPart(firstFile)).resource(Bundle.class).getEntry()).isEmpty();
		// nor as a resource included by another search (a List of the nurse's own naming
		// the file finds the List and not the file), nor in its total, on its own or as a
		// batch entry
		String list = created(this.nurse.post("/fhir/List", "{\"resourceType\":\"List\",\"status\":\"current\","
				+ "\"mode\":\"working\",\"entry\":[{\"item\":{\"reference\":\"Binary/" + idPart(firstFile) + "\"}}]}"));
		String withInclude = "List?_id=" + idPart(list) + "&_include=List:item";
		Response included = this.nurse.get("/fhir/" + withInclude);
		assertThat(included.status()).as(included.body()).isEqualTo(200);
		Response batch = this.nurse.post("/fhir", "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{"
				+ "\"request\":{\"method\":\"GET\",\"url\":\"" + withInclude + "\"}}]}");
		assertThat(batch.status()).as(batch.body()).isEqualTo(200);
		// a search HAPI answers at once, without paging, counts what it shows
		Response unpaged = this.nurse.get("/fhir/" + withInclude, "Cache-Control", "no-store");
		assertThat(unpaged.status()).as(unpaged.body()).isEqualTo(200);
		for (Bundle found : List.of(included.resource(Bundle.class), unpaged.resource(Bundle.class),
				(Bundle) batch.resource(Bundle.class).getEntryFirstRep().getResource())) {
			assertThat(found.getEntry()).extracting((entry) -> entry.getResource().fhirType()).containsExactly("List");
			assertThat(found.getTotal()).isEqualTo(1);
		}
		// and nobody changes it: to anyone else a PUT or PATCH is one of an id not stored
		// (a PATCH would otherwise answer with the file patched)
		String file = "/fhir/Binary/" + idPart(firstFile);
		Response othersPut = this.nurse.put(file, "{\"resourceType\":\"Binary\",\"id\":\"" + idPart(firstFile)
				+ "\",\"contentType\":\"text/plain\",\"data\":\"aGVsbG8=\"}");
		Response othersPatch = this.nurse.send("PATCH", file, "[]", "Content-Type", "application/json-patch+json");
		Response ownersPatch = this.gp.send("PATCH", file, "[]", "Content-Type", "application/json-patch+json");
		assertThat(othersPut.status()).as(othersPut.body()).isEqualTo(404);
		assertThat(othersPatch.status()).as(othersPatch.body()).isEqualTo(404);
		assertThat(othersPatch.body()).doesNotContain("\"data\"");
		assertThat(ownersPatch.status()).as(ownersPatch.body()).isEqualTo(403);
		Response stillThere = this.gp.get(firstFile, "Accept", "application/fhir+ndjson");
		assertThat(stillThere.status()).isEqualTo(200);
		assertThat(stillThere.body()).isEqualTo(firstFileContent);
		assertThat(this.gp.get(poll).status()).as("still the owner's").isEqualTo(200);
	}

	@Test
	void theAdminRoleExportsAcrossTheIcbLeavingOutEveryoneWhoRefused() throws Exception {
		Response kickOff = this.admin.get("/fhir/$export?_type=Patient,Observation", "Prefer", "respond-async");
		assertThat(kickOff.status()).as(kickOff.body()).isEqualTo(202);
		JsonNode manifest = awaitManifest(this.admin, pathOf(kickOff.header("Content-Location")));
		List<IBaseResource> exported = new ArrayList<>();
		for (JsonNode output : manifest.get("output")) {
			Response download = this.admin.get(pathOf(output.get("url").asText()), "Accept", "application/fhir+ndjson");
			assertThat(download.status()).as(download.body()).isEqualTo(200);
			for (String line : download.body().split("\n")) {
				if (!line.isBlank()) {
					exported.add(FHIR.newJsonParser().parseResource(line));
				}
			}
		}
		assertThat(ids(exported, Patient.class)).contains(this.shown1, this.shown2, this.otherPractices)
			.doesNotContain(this.hidden);
		assertThat(ids(exported, Observation.class)).contains(this.otherObservation)
			.doesNotContain(this.hiddenObservation);
		// the admin reads no other Binary than its own exports' files
		assertThat(this.admin.get("/fhir/Binary?_count=1").status()).isEqualTo(403);
	}

	@Test
	void everyOtherExportIsRefusedWithItsReason() {
		String elsewhereGroup = created(this.gp.post("/fhir/Group",
				"{\"resourceType\":\"Group\",\"type\":"
						+ "\"person\",\"actual\":false,\"managingEntity\":{\"reference\":\""
						+ organisation("Third Surgery", "Y99905") + "\"}}"));
		assertRefused(this.gp, "/fhir/" + elsewhereGroup + "/$export", "is not your practice's Group");
		assertRefused(this.gp, "/fhir/$export", "needs the admin role");
		assertRefused(this.gp, "/fhir/Patient/$export", "needs the admin role");
		assertRefused(this.nurse, "/fhir/" + this.group + "/$export", "system-integration");
		assertRefused(this.nurse, "/fhir/$export", "needs the admin role");
		assertRefused(FhirHttp.as(this.port, "icb-analyst"), "/fhir/$export", "de-identified");
		assertRefused(FhirHttp.as(this.port, "icb-analyst"), "/fhir/" + this.group + "/$export", "icb-analyst");
		assertRefused(this.admin, "/fhir/Patient/" + idPart(this.shown1) + "/$export", "not offered");
		// a GP system's token without read scopes (the EHR launcher's) exports nothing
		assertRefused(FhirHttp.as(this.port, "ehr-launcher"), "/fhir/" + this.group + "/$export",
				"no scope of the access token");
		Response batch = this.gp.post("/fhir", "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{"
				+ "\"request\":{\"method\":\"GET\",\"url\":\"" + this.group + "/$export\"}}]}");
		assertThat(batch.status()).as(batch.body()).isEqualTo(403);
	}

	@Test
	void badInputIsA400WithAnOperationOutcome() {
		for (String query : List.of("_type=NotAType", "_since=garbage", "_outputFormat=application/pdf",
				"_typeFilter=Observation%3Fcode%3D1234", "_type=Binary", "_type=Organization")) {
			Response response = this.gp.get("/fhir/" + this.group + "/$export?" + query, "Prefer", "respond-async");
			assertThat(response.status()).as(query + ": " + response.body()).isEqualTo(400);
			assertThat(response.outcome().getIssueFirstRep().getDiagnostics()).as(query).isNotBlank();
		}
		Response withoutPrefer = this.gp.get("/fhir/" + this.group + "/$export");
		assertThat(withoutPrefer.status()).as(withoutPrefer.body()).isEqualTo(400);
		Response pollWithoutId = this.gp.get("/fhir/$export-poll-status");
		assertThat(pollWithoutId.status()).as(pollWithoutId.body()).isEqualTo(400);
		assertThat(pollWithoutId.outcome().getIssueFirstRep().getDiagnostics()).contains("_jobId");
		Response postedPoll = this.gp.post("/fhir/$export-poll-status", "{\"resourceType\":\"Parameters\"}");
		assertThat(postedPoll.status()).as(postedPoll.body()).isEqualTo(403);
	}

	@Test
	void aKickOffByPostIsDecidedAndAnsweredAsByGet() throws Exception {
		Response kickOff = this.gp.post("/fhir/" + this.group + "/$export",
				"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"_type\",\"valueString\":"
						+ "\"Patient\"}]}",
				"Prefer", "respond-async");
		assertThat(kickOff.status()).as(kickOff.body()).isEqualTo(202);
		JsonNode manifest = awaitManifest(this.gp, pathOf(kickOff.header("Content-Location")));
		List<IBaseResource> exported = new ArrayList<>();
		for (JsonNode output : manifest.get("output")) {
			assertThat(output.get("type").asText()).isEqualTo("Patient");
			for (String line : this.gp.get(pathOf(output.get("url").asText()), "Accept", "application/fhir+ndjson")
				.body()
				.split("\n")) {
				if (!line.isBlank()) {
					exported.add(FHIR.newJsonParser().parseResource(line));
				}
			}
		}
		assertThat(ids(exported, Patient.class)).containsExactlyInAnyOrder(this.shown1, this.shown2);

		Response othersByPost = this.nurse.post("/fhir/" + this.group + "/$export", "{\"resourceType\":\"Parameters\"}",
				"Prefer", "respond-async");
		assertThat(othersByPost.status()).as(othersByPost.body()).isEqualTo(403);
	}

	@Test
	void aPracticeWithNobodyOnItsListExportsNoFiles() throws Exception {
		String emptyPractice = created(this.gp.post("/fhir/Group",
				"{\"resourceType\":\"Group\",\"type\":\"person\",\"actual\":false,\"managingEntity\":{"
						+ "\"reference\":\"" + organisation("Empty Surgery", "Y99901") + "\"}}"));
		Response kickOff = this.gp.get("/fhir/" + emptyPractice + "/$export?_type=Patient,Observation", "Prefer",
				"respond-async");
		assertThat(kickOff.status()).as(kickOff.body()).isEqualTo(202);
		JsonNode manifest = awaitManifest(this.gp, pathOf(kickOff.header("Content-Location")));
		assertThat(manifest.get("output")).as(manifest.toString()).isNotNull().isEmpty();
		assertThat(manifest.path("error")).as(manifest.toString()).isEmpty();
	}

	@Test
	void anExportCanBeCancelledByItsOwnerOnly() {
		Response kickOff = this.gp.get("/fhir/" + this.group + "/$export", "Prefer", "respond-async");
		assertThat(kickOff.status()).as(kickOff.body()).isEqualTo(202);
		String poll = pathOf(kickOff.header("Content-Location"));
		assertThat(this.nurse.send("DELETE", poll, null).status()).isEqualTo(404);
		Response cancel = this.gp.send("DELETE", poll, null);
		// 202 while it runs; 404 when it had already completed (the Bulk Data answer)
		assertThat(cancel.status()).as(cancel.body()).isIn(202, 404);
	}

	private JsonNode awaitManifest(FhirHttp client, String poll) throws Exception {
		List<Response> answers = new ArrayList<>();
		await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
			Response answer = client.get(poll);
			answers.add(answer);
			assertThat(answer.status()).as(answer.body()).isIn(200, 202);
			if (answer.status() == 202) {
				assertThat(answer.header("X-Progress")).isNotBlank();
				assertThat(answer.header("Retry-After")).isNotBlank();
			}
			return answer.status() == 200;
		});
		return new ObjectMapper().readTree(answers.get(answers.size() - 1).body());
	}

	private void assertRefused(FhirHttp client, String path, String reason) {
		Response response = client.get(path, "Prefer", "respond-async");
		assertThat(response.status()).as(path + ": " + response.body()).isEqualTo(403);
		assertThat(response.outcome().getIssueFirstRep().getDiagnostics()).as(path).contains(reason);
	}

	private List<AuditEvent> auditOf(String requestId) {
		return this.admin.get("/fhir/AuditEvent?source:identifier=" + requestId)
			.resource(Bundle.class)
			.getEntry()
			.stream()
			.map((entry) -> (AuditEvent) entry.getResource())
			.toList();
	}

	private static Set<String> ids(List<IBaseResource> resources, Class<? extends IBaseResource> type) {
		Set<String> ids = new HashSet<>();
		for (IBaseResource resource : resources) {
			if (type.isInstance(resource)) {
				ids.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
			}
		}
		return ids;
	}

	private String organisation(String name, String ods) {
		return created(this.gp.post("/fhir/Organization",
				"{\"resourceType\":\"Organization\",\"name\":\"" + name
						+ "\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\""
						+ ods + "\"}]}"));
	}

	private String patient(String family, String practice) {
		return created(this.gp.post("/fhir/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family
				+ System.nanoTime() + "\"}],\"generalPractitioner\":[{\"reference\":\"" + practice + "\"}]}"));
	}

	private String observation(String patient) {
		return created(this.gp.post("/fhir/Observation",
				"{\"resourceType\":\"Observation\",\"status\":\"final\","
						+ "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"29463-7\"}]},\"subject\":{"
						+ "\"reference\":\"" + patient + "\"},\"valueQuantity\":{\"value\":60,\"unit\":\"kg\"}}"));
	}

	private static String refusal(String patient, String custodian) {
		return "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
				+ "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
				+ "\"code\":\"IDSCL\"}]}],\"patient\":{\"reference\":\"" + patient + "\"},\"dateTime\":"
				+ "\"2026-11-01T10:00:00Z\",\"performer\":[{\"reference\":\"" + patient + "\"}],\"organization\":[{"
				+ "\"reference\":\"" + custodian + "\"}],\"policy\":[{\"uri\":"
				+ "\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}";
	}

	private static String pathOf(String url) {
		URI uri = URI.create(url);
		return uri.getRawPath() + ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : "");
	}

	private static String idPart(String reference) {
		return reference.substring(reference.lastIndexOf('/') + 1);
	}

	private static String created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return response.header("Location").replaceAll(".*/fhir/([A-Za-z]+/[^/]+)/_history/.*", "$1");
	}

}
