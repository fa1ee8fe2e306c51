package org.openepaccs.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ca.uhn.fhir.context.FhirContext;
import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceOperationComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceSearchParamComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.ResourceInteractionComponent;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing of a person who refused to share reaches anyone but the organisation that
 * recorded the refusal, on any interaction or operation the running server advertises.
 * <p>
 * The requests are generated from the server's own CapabilityStatement: for every
 * resource type, every interaction and every operation it lists (instance and type
 * level), every search parameter that can name a person, {@code _has} from every type,
 * every operation the server itself offers, and all of them again as entries of one batch
 * and of one transaction. Each is sent by each role twice: once naming the hidden
 * person's resources, once naming ids that do not exist. For a non-clinical role the two
 * answers must be identical once the ids are swapped (status, body, the headers a client
 * reads); a clinician may only be told that a restricted record exists, and not where it
 * is kept. Nothing may carry the person's name, NHS number, date of birth, a clinical
 * value of theirs or the ids of their resources. An operation added to the server later
 * is covered without editing this test. Exempt: the audit trail read by the admin role
 * (the privacy officer must see who looked at a restricted record; it names records,
 * never their content) and the ICB metrics ({@code Measure/$evaluate-measure}:
 * disclosure-controlled aggregates that count everyone by design and are never asked
 * about a person; their disclosure control is {@code metrics.IndicatorsIT}'s).
 */
@EpaccsIntegrationTest
class ConsentLeakIT {

	private static final FhirContext fhir = FhirContext.forR4Cached();

	/**
	 * Compared by value; Last-Modified only by presence, as a Bundle's is the time it was
	 * made.
	 */
	private static final List<String> HEADERS_A_CLIENT_READS = List.of("content-type", "etag", "location",
			"content-location", "x-break-glass-used");

	@LocalServerPort
	int port;

	@Autowired
	EmbeddedIssuerConfig.EmbeddedIssuerKeys issuerKeys;

	@Autowired
	AccessProperties properties;

	FhirHttp custodian;

	HiddenPerson hidden;

	Map<String, FhirHttp> callers;

	Map<String, String> ownTokens;

	@BeforeEach
	void aPersonWhoRefusedToShare() throws Exception {
		this.custodian = new FhirHttp(this.port); // gp-system, organisation Y99901
		this.hidden = HiddenPerson.recordedBy(this.custodian, "Y99901");
		this.callers = new LinkedHashMap<>();
		this.ownTokens = new LinkedHashMap<>();
		for (String client : List.of("community-nurse", "ooh-clinician", "spoc-hub", "icb-analyst", "admin")) {
			this.callers.put(client, FhirHttp.as(this.port, client));
		}
		// another GP practice's system: may write, but is not the custodian
		TestTokens tokens = new TestTokens(this.issuerKeys, this.properties, this.port);
		this.callers.put("other-gp-system", FhirHttp.anonymous(this.port));
		this.ownTokens.put("other-gp-system",
				tokens.signed(tokens.claims().claim("epaccs_ods", "Y99905").subject("other-gp-system").build()));
	}

	@Test
	void everyAdvertisedReadAnswersAsIfThePersonWereNotHere() throws Exception {
		List<Probe> probes = probesFromTheCapabilityStatement();
		assertThat(probes).as("the CapabilityStatement lists the interactions to probe").hasSizeGreaterThan(100);
		// each caller on a thread of its own: these are reads, and what one caller is
		// answered does not depend on another's reads (the audit trail they add to is
		// the admin's only, and skipped below)
		ExecutorService threads = Executors.newFixedThreadPool(this.callers.size());
		try {
			List<Future<List<String>>> seen = new ArrayList<>();
			for (String caller : this.callers.keySet()) {
				seen.add(threads.submit(() -> leaksSeenBy(caller, probes)));
			}
			List<String> leaks = new ArrayList<>();
			for (Future<List<String>> each : seen) {
				leaks.addAll(each.get());
			}
			assertThat(leaks).isEmpty();
		}
		finally {
			threads.shutdownNow();
		}
	}

	private List<String> leaksSeenBy(String caller, List<Probe> probes) {
		List<String> leaks = new ArrayList<>();
		boolean clinical = Set.of("community-nurse", "ooh-clinician").contains(caller);
		for (Probe probe : probes) {
			if ("admin".equals(caller) && "AuditEvent".equals(probe.type())) {
				// the audit trail: the privacy officer must see who looked at a
				// restricted record; it names records, never their content
				continue;
			}
			Response onHidden = send(caller, probe.path(this.hidden.values()));
			Response onMissing = send(caller, probe.path(this.hidden.missingValues()));
			String where = caller + " GET " + probe.path(this.hidden.values());
			String mentions = this.hidden.mentionedIn(onHidden.body(), probe.path(this.hidden.values()));
			if (mentions != null) {
				leaks.add(where + ": the answer carries the person's " + mentions + ": " + abbreviated(onHidden));
				continue;
			}
			if (clinical && onHidden.status() == 403 && onHidden.body().contains("refused to share")) {
				// the one deliberate exception: told the record is restricted, and
				// nothing more (not which practice keeps it)
				String keptBy = this.hidden.custodianIn(onHidden.body(), probe.path(this.hidden.values()));
				if (keptBy != null) {
					leaks.add(where + ": the restricted-record answer names the " + keptBy);
				}
				continue;
			}
			if (probe.path(this.hidden.values()).equals(probe.path(this.hidden.missingValues()))) {
				continue; // the same request: only what the answer carries counts
			}
			String difference = difference(onHidden, onMissing);
			if (difference != null) {
				leaks.add(where + ": differs from the answer for ids that do not exist (" + difference + ")");
			}
		}
		return leaks;
	}

	@Test
	void batchEntriesGetTheDecisionOfTheirOwnRequest() {
		// the entries a batch may hold: a refused entry refuses the whole batch, for
		// anyone, which would make the comparison say nothing
		List<Probe> probes = probesFromTheCapabilityStatement().stream()
			.filter(Probe::namesThePerson)
			.filter((probe) -> !probe.template().contains("_has") && !probe.template().contains("/_history?")
					&& (!probe.template().contains("$") || probe.template().contains("$epaccs-summary")
							|| probe.template().contains("/{id}/$everything")))
			.toList();
		for (Map.Entry<String, FhirHttp> caller : this.callers.entrySet()) {
			boolean clinical = Set.of("community-nurse", "ooh-clinician").contains(caller.getKey());
			for (String type : List.of("batch", "transaction")) {
				String request = batch(type, probes, this.hidden.values());
				Response onHidden = send(caller.getKey(), "POST", "/fhir", request);
				Response onMissing = send(caller.getKey(), "POST", "/fhir",
						batch(type, probes, this.hidden.missingValues()));
				assertThat(this.hidden.mentionedIn(onHidden.body(), request)).as(caller.getKey() + " " + type).isNull();
				if (!clinical) {
					assertThat(difference(onHidden, onMissing))
						.as(caller.getKey() + " " + type + ": " + abbreviated(onHidden))
						.isNull();
				}
			}
		}
	}

	@Test
	void reverseChainingFromTheDirectoryIsRefusedForEveryRole() {
		FhirHttp analyst = this.callers.get("icb-analyst");
		Response hasPatient = analyst
			.get("/fhir/Organization?_has:Patient:organization:family=" + this.hidden.family());
		assertThat(hasPatient.status()).isEqualTo(403);
		Response hasPatientMissing = analyst.get("/fhir/Organization?_has:Patient:organization:family=Nobody");
		assertThat(difference(hasPatient, hasPatientMissing)).isNull();
		Response custodian = this.custodian
			.get("/fhir/Organization?_has:Consent:organization:patient=" + this.hidden.patient());
		assertThat(custodian.status()).as("closed for everyone, custodians too").isEqualTo(403);
	}

	@Test
	void aChainToThePersonWhoseRecordItIsIsStillOffered() {
		for (String chain : List.of("/fhir/Observation?subject:Patient.family=" + this.hidden.family(),
				"/fhir/Observation?subject:Patient.identifier=https://fhir.nhs.uk/Id/nhs-number%7C"
						+ this.hidden.nhsNumber(),
				"/fhir/Flag?patient.identifier=https://fhir.nhs.uk/Id/nhs-number%7C" + this.hidden.nhsNumber(),
				"/fhir/Patient?organization:Organization.identifier=Y99901&family=" + this.hidden.family())) {
			Response byCustodian = this.custodian.get(chain);
			assertThat(byCustodian.status()).as(chain + ": " + abbreviated(byCustodian)).isEqualTo(200);
			assertThat(byCustodian.resource(Bundle.class).getEntry()).as(chain).hasSize(1);
			Response byNurse = this.callers.get("community-nurse").get(chain);
			assertThat(byNurse.status()).as(chain + ": " + abbreviated(byNurse)).isEqualTo(200);
			assertThat(byNurse.resource(Bundle.class).getEntry()).as(chain).isEmpty();
		}
	}

	@Test
	void aChangeToAHiddenResourceIsAnsweredAsIfItWereNotThere() {
		String observation = this.hidden.ids().get("Observation");
		for (String patch : List.of("[]", "[{\"op\":\"test\",\"path\":\"/status\",\"value\":\"final\"}]",
				"[{\"op\":\"test\",\"path\":\"/status\",\"value\":\"amended\"}]")) {
			Response onHidden = send("other-gp-system", "PATCH", "/fhir/Observation/" + observation, patch,
					"Content-Type", "application/json-patch+json");
			Response onMissing = send("other-gp-system", "PATCH",
					"/fhir/Observation/" + this.hidden.missingIds().get("Observation"), patch, "Content-Type",
					"application/json-patch+json");
			assertThat(this.hidden.mentionedIn(onHidden.body(), "/fhir/Observation/" + observation)).isNull();
			assertThat(difference(onHidden, onMissing)).as(patch + ": " + abbreviated(onHidden)).isNull();
		}
		String missing = this.hidden.missingIds().get("Observation");
		for (String condition : List.of("_id=%s", "_id=%s&code=http://loinc.org%%7C29463-7")) {
			String patch = "[{\"op\":\"test\",\"path\":\"/status\",\"value\":\"final\"}]";
			Response onHidden = send("other-gp-system", "PATCH",
					"/fhir/Observation?" + condition.formatted(observation), patch, "Content-Type",
					"application/json-patch+json");
			Response onMissing = send("other-gp-system", "PATCH", "/fhir/Observation?" + condition.formatted(missing),
					patch, "Content-Type", "application/json-patch+json");
			assertThat(this.hidden.mentionedIn(onHidden.body(), observation)).isNull();
			assertThat(difference(onHidden, onMissing)).as("conditional PATCH " + abbreviated(onHidden)).isNull();
			Response deleteOnHidden = send("other-gp-system", "DELETE",
					"/fhir/Observation?" + condition.formatted(observation), null);
			Response deleteOnMissing = send("other-gp-system", "DELETE",
					"/fhir/Observation?" + condition.formatted(missing), null);
			assertThat(difference(deleteOnHidden, deleteOnMissing))
				.as("conditional DELETE " + abbreviated(deleteOnHidden))
				.isNull();
		}
		Response delete = send("other-gp-system", "DELETE", "/fhir/Observation/" + observation, null);
		Response deleteMissing = send("other-gp-system", "DELETE", "/fhir/Observation/" + missing, null);
		assertThat(difference(delete, deleteMissing)).as(abbreviated(delete)).isNull();
		// a conditional create whose condition names the person (and which the
		// resource must match): answered as one naming nobody stored
		String flag = "{\"resourceType\":\"Flag\",\"status\":\"active\",\"code\":{\"text\":\"x\"},\"subject\":{"
				+ "\"reference\":\"Patient/%s\"}}";
		Response conditionalOnHidden = send("other-gp-system", "POST", "/fhir/Flag",
				flag.formatted(this.hidden.ids().get("Patient")), "Content-Type", FhirHttp.FHIR_JSON, "If-None-Exist",
				"subject=" + this.hidden.patient());
		Response conditionalOnMissing = send("other-gp-system", "POST", "/fhir/Flag",
				flag.formatted(this.hidden.missingIds().get("Patient")), "Content-Type", FhirHttp.FHIR_JSON,
				"If-None-Exist", "subject=Patient/" + this.hidden.missingIds().get("Patient"));
		assertThat(conditionalOnMissing.status()).as(conditionalOnMissing.body()).isBetween(400, 499);
		assertThat(difference(conditionalOnHidden, conditionalOnMissing))
			.as("conditional create " + abbreviated(conditionalOnHidden))
			.isNull();
		assertThat(this.custodian.get("/fhir/Observation/" + observation).status()).as("still stored").isEqualTo(200);
	}

	@Test
	void aPutToAHiddenRecordIsAnsweredAsOneToAnIdThatIsNotStored() {
		String observation = "{\"resourceType\":\"Observation\",\"id\":\"{id}\",\"status\":\"final\",\"code\":{"
				+ "\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"29463-7\"}]},\"subject\":{\"reference\":"
				+ "\"Patient/" + this.hidden.values().get("Visible")
				+ "\"},\"valueQuantity\":{\"value\":70,\"unit\":\"kg\"}}";
		String flag = "{\"resourceType\":\"Flag\",\"id\":\"{id}\",\"status\":\"active\",\"code\":{\"text\":\"x\"},"
				+ "\"subject\":{\"reference\":\"Patient/" + this.hidden.values().get("Visible") + "\"}}";
		for (String caller : List.of("other-gp-system", "community-nurse", "ooh-clinician")) {
			boolean clinical = !"other-gp-system".equals(caller);
			for (Map.Entry<String, String> write : Map.of("Observation", observation, "Flag", flag).entrySet()) {
				String type = write.getKey();
				String hiddenId = this.hidden.ids().get(type);
				String missingId = this.hidden.missingIds().get(type);
				Map<String, Response> onHidden = new LinkedHashMap<>();
				Map<String, Response> onMissing = new LinkedHashMap<>();
				for (Map.Entry<String, Map<String, Response>> side : Map.of(hiddenId, onHidden, missingId, onMissing)
					.entrySet()) {
					String id = side.getKey();
					String body = write.getValue().replace("{id}", id);
					side.getValue().put("PUT", send(caller, "PUT", "/fhir/" + type + "/" + id, body));
					side.getValue().put("conditional PUT", send(caller, "PUT", "/fhir/" + type + "?_id=" + id, body));
					side.getValue()
						.put("transaction PUT", send(caller, "POST", "/fhir",
								"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"fullUrl\":\""
										+ type + "/" + id + "\",\"resource\":" + body
										+ ",\"request\":{\"method\":\"PUT\",\"url\":\"" + type + "/" + id + "\"}}]}"));
				}
				for (String how : onHidden.keySet()) {
					String where = caller + " " + how + " " + type;
					Response hidden = onHidden.get(how);
					Response missing = onMissing.get(how);
					assertThat(this.hidden.mentionedIn(hidden.body(), hiddenId)).as(where).isNull();
					assertThat(missing.status()).as(where + ": not created under the client's id: " + missing.body())
						.isBetween(400, 499);
					if (clinical && hidden.status() == 403 && hidden.body().contains("refused to share")) {
						continue; // the deliberate exception: told the record is
									// restricted
					}
					assertThat(difference(hidden, missing)).as(where + ": " + abbreviated(hidden)).isNull();
				}
				assertThat(this.custodian.get("/fhir/" + type + "/" + missingId).status())
					.as("nothing created under the client's id")
					.isEqualTo(404);
			}
		}
		assertThat(this.custodian.get("/fhir/Observation/" + this.hidden.ids().get("Observation")).body())
			.as("the hidden record unchanged")
			.contains(this.hidden.weight());
		Response updatedByCustodian = this.custodian.put("/fhir/Observation/" + this.hidden.ids().get("Observation"),
				observation.replace("{id}", this.hidden.ids().get("Observation")));
		assertThat(updatedByCustodian.status()).as("the custodian updates as before: " + updatedByCustodian.body())
			.isEqualTo(200);
	}

	@Test
	void anotherOrganisationCannotLiftTheRefusalOrWriteIntoTheRecord() {
		String permit = this.hidden.consent("active", "permit", "2099-01-01T00:00:00Z");
		Response byOtherSystem = send("other-gp-system", "POST", "/fhir/Consent", permit, "Content-Type",
				FhirHttp.FHIR_JSON);
		assertThat(byOtherSystem.status()).as(byOtherSystem.body()).isEqualTo(400);
		Response bySystemSayingSo = send("other-gp-system", "POST", "/fhir/Consent", permit, "Content-Type",
				FhirHttp.FHIR_JSON, Callers.SHARING_DECISION_HEADER, "the person told us");
		assertThat(bySystemSayingSo.status()).as(bySystemSayingSo.body()).isEqualTo(byOtherSystem.status());
		assertThat(bySystemSayingSo.diagnostics())
			.as("only a clinician may record another organisation's person's decision")
			.startsWith("HAPI-1094: Resource " + this.hidden.patient() + " not found, specified in path: Consent.");
		Response byNurseWithoutSayingSo = this.callers.get("community-nurse")
			.post("/fhir/Consent", permit, "Content-Type", FhirHttp.FHIR_JSON);
		assertThat(byNurseWithoutSayingSo.status()).as(byNurseWithoutSayingSo.body()).isEqualTo(403);
		assertThat(this.callers.get("spoc-hub").get("/fhir/" + this.hidden.patient()).status())
			.as("the refusal still holds")
			.isEqualTo(404);

		Response flag = send("other-gp-system", "POST", "/fhir/Flag",
				"{\"resourceType\":\"Flag\",\"status\":\"active\","
						+ "\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":\"" + this.hidden.patient() + "\"}}",
				"Content-Type", FhirHttp.FHIR_JSON);
		assertThat(flag.status()).as(flag.body()).isEqualTo(400);
		assertThat(this.hidden.mentionedIn(flag.body(), this.hidden.patient())).isNull();
	}

	@Test
	void aWriteReferringToAHiddenRecordAnywhereIsAnsweredAsOneReferringToNothing() {
		String visible = "Patient/" + this.hidden.values().get("Visible");
		Map<String, String> writes = new LinkedHashMap<>();
		writes.put("Observation.focus to the person",
				observation(visible, "\"focus\":[{\"reference\":\"Patient/{Patient}\"}]"));
		writes.put("Observation.focus to their relative",
				observation(visible, "\"focus\":[{\"reference\":\"RelatedPerson/{RelatedPerson}\"}]"));
		writes.put("Observation.performer to their relative",
				observation(visible, "\"performer\":[{\"reference\":\"RelatedPerson/{RelatedPerson}\"}]"));
		writes.put("Observation.derivedFrom to their observation",
				observation(visible, "\"derivedFrom\":[{\"reference\":\"Observation/{Observation}\"}]"));
		writes.put("Flag.subject to the person", "{\"resourceType\":\"Flag\",\"status\":\"active\",\"code\":{\"text\":"
				+ "\"x\"},\"subject\":{\"reference\":\"Patient/{Patient}\"}}");
		writes.put("Observation.subject to the person", observation("Patient/{Patient}", null));
		for (Map.Entry<String, String> write : writes.entrySet()) {
			String type = write.getValue().substring(17, write.getValue().indexOf('"', 17));
			String onHiddenBody = write.getValue();
			String onMissingBody = write.getValue();
			for (String kind : List.of("Patient", "RelatedPerson", "Observation")) {
				onHiddenBody = onHiddenBody.replace("{" + kind + "}", this.hidden.ids().get(kind));
				onMissingBody = onMissingBody.replace("{" + kind + "}", this.hidden.missingIds().get(kind));
			}
			Response onHidden = send("other-gp-system", "POST", "/fhir/" + type, onHiddenBody);
			Response onMissing = send("other-gp-system", "POST", "/fhir/" + type, onMissingBody);
			assertThat(onMissing.status()).as(write.getKey() + ": " + onMissing.body()).isEqualTo(400);
			assertThat(difference(onHidden, onMissing)).as(write.getKey() + ": " + abbreviated(onHidden)).isNull();
			assertThat(this.hidden.mentionedIn(onHidden.body(), onHiddenBody)).isNull();
			Response byNurse = send("community-nurse", "POST", "/fhir/" + type, onHiddenBody);
			assertThat(byNurse.status()).as("a clinician is told the record is restricted: " + byNurse.body())
				.isEqualTo(403);
			assertThat(byNurse.body()).contains("X-Break-Glass");
		}
	}

	@Test
	void aWriteReferringToAHiddenRecordDeletedSinceIsAnsweredAsOneReferringToNothing() {
		String flag = this.hidden.ids().get("Flag");
		assertThat(this.custodian.send("DELETE", "/fhir/Flag/" + flag, null).status()).isEqualTo(200);
		String visible = "Patient/" + this.hidden.values().get("Visible");
		Response onDeleted = send("other-gp-system", "POST", "/fhir/Observation",
				observation(visible, "\"focus\":[{\"reference\":\"Flag/" + flag + "\"}]"));
		Response onMissing = send("other-gp-system", "POST", "/fhir/Observation", observation(visible,
				"\"focus\":[{\"reference\":\"Flag/" + this.hidden.missingIds().get("Flag") + "\"}]"));
		assertThat(onMissing.status()).as(onMissing.body()).isEqualTo(400);
		assertThat(difference(onDeleted, onMissing)).as(abbreviated(onDeleted)).isNull();
	}

	private static String observation(String subject, String more) {
		return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
				+ "\"http://loinc.org\",\"code\":\"75275-8\"}]},\"subject\":{\"reference\":\"" + subject + "\"},"
				+ ((more != null) ? more + "," : "") + "\"valueString\":\"x\"}";
	}

	@Test
	void aClinicianToldOfTheDecisionRecordsItDeliberately() {
		FhirHttp nurse = this.callers.get("community-nurse");
		Response recorded = nurse.post("/fhir/Consent", this.hidden.consent("active", "permit", "2020-01-01T00:00:00Z"),
				"Content-Type", FhirHttp.FHIR_JSON, Callers.SHARING_DECISION_HEADER,
				"the person told me at a home visit today");
		assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
		assertThat(nurse.get("/fhir/" + this.hidden.patient()).status())
			.as("a decision takes effect when recorded, whatever date it claims")
			.isEqualTo(200);
		Bundle tasks = this.custodian.get("/fhir/Task?patient=" + this.hidden.patient()).resource(Bundle.class);
		assertThat(tasks.getEntry()).as("the custodian is told, to review it with the person").hasSize(1);
		org.hl7.fhir.r4.model.Task task = (org.hl7.fhir.r4.model.Task) tasks.getEntry().get(0).getResource();
		assertThat(task.getOwner().getIdentifier().getValue()).isEqualTo("Y99901");
		assertThat(task.getFocus().getReference()).startsWith("Consent/");
		assertThat(task.getDescription()).contains("Y99902", "the person told me at a home visit today");
		assertThat(task.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Task.TaskStatus.REQUESTED);
		String consent = recorded.header("Location").replaceAll(".*/fhir/(Consent/[^/]+)/_history/.*", "$1");
		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			Bundle events = this.callers.get("admin")
				.get("/fhir/AuditEvent?entity=" + consent + "&_count=50")
				.resource(Bundle.class);
			assertThat(events.getEntry()).map((entry) -> (AuditEvent) entry.getResource())
				.filteredOn((event) -> "create".equals(event.getSubtypeFirstRep().getCode()))
				.singleElement()
				.satisfies((event) -> {
					assertThat(event.getOutcomeDesc()).as("the deliberate act and its reason are in the audit trail")
						.isEqualTo("sharing decision recorded for another organisation's person: "
								+ "the person told me at a home visit today");
					assertThat(event.getAgentFirstRep().getAltId()).isEqualTo("community-nurse");
				});
		});
	}

	private List<Probe> probesFromTheCapabilityStatement() {
		CapabilityStatement capabilities = this.custodian.get("/fhir/metadata").resource(CapabilityStatement.class);
		List<Probe> probes = new ArrayList<>();
		for (CapabilityStatementRestResourceOperationComponent operation : capabilities.getRestFirstRep()
			.getOperation()) {
			probes.add(new Probe("Patient", "/fhir/$" + operation.getName() + "?patient=Patient/{Patient}", true));
		}
		// each operation at type level once on a type of which nobody is hidden, and
		// every operation of the types the person has records of (below)
		Set<String> typeLevelProbed = new HashSet<>();
		for (CapabilityStatementRestResourceComponent resource : capabilities.getRestFirstRep().getResource()) {
			if (this.hidden.ids().containsKey(resource.getType())) {
				continue;
			}
			for (CapabilityStatementRestResourceOperationComponent operation : resource.getOperation()) {
				if (typeLevelProbed.add(operation.getName())) {
					probes.add(new Probe(resource.getType(),
							"/fhir/" + resource.getType() + "/$" + operation.getName() + "?patient=Patient/{Patient}",
							true));
				}
			}
		}
		for (CapabilityStatementRestResourceComponent resource : capabilities.getRestFirstRep().getResource()) {
			String type = resource.getType();
			boolean hiddenInstance = this.hidden.ids().containsKey(type);
			for (ResourceInteractionComponent interaction : resource.getInteraction()) {
				switch (interaction.getCode()) {
					case READ -> {
						if (hiddenInstance) {
							probes.add(new Probe(type, "/fhir/" + type + "/{id}", true));
						}
					}
					case VREAD -> {
						if (hiddenInstance) {
							probes.add(new Probe(type, "/fhir/" + type + "/{id}/_history/1", true));
						}
					}
					case HISTORYINSTANCE -> {
						if (hiddenInstance) {
							probes.add(new Probe(type, "/fhir/" + type + "/{id}/_history", true));
						}
					}
					case HISTORYTYPE -> probes.add(new Probe(type, "/fhir/" + type + "/_history?_count=500", false));
					default -> {
					}
				}
			}
			for (CapabilityStatementRestResourceSearchParamComponent parameter : resource.getSearchParam()) {
				if (parameter.getType() == SearchParamType.REFERENCE) {
					probes.add(new Probe(type,
							"/fhir/" + type + "?" + parameter.getName() + "=Patient/{Patient}&_total=accurate", true));
				}
			}
			if (hiddenInstance) {
				probes.add(new Probe(type, "/fhir/" + type + "?_id={id}&_total=accurate", true));
			}
			probes.add(new Probe(type, "/fhir/" + type + "?_has:Patient:link:_id={Patient}", true));
			for (CapabilityStatementRestResourceOperationComponent operation : resource.getOperation()) {
				if (hiddenInstance) {
					probes.add(new Probe(type, "/fhir/" + type + "/{id}/$" + operation.getName(), true));
				}
				if (hiddenInstance) {
					probes.add(new Probe(type,
							"/fhir/" + type + "/$" + operation.getName() + "?patient=Patient/{Patient}", true));
				}
			}
		}
		probes.add(new Probe("Patient",
				"/fhir/Patient/$epaccs-summary?identifier=https://fhir.nhs.uk/Id/nhs-number%7C{nhs}", true));
		probes.add(new Probe("Patient", "/fhir/Patient?family={family}&_total=accurate", true));
		probes.add(new Probe("Patient", "/fhir/Patient?birthdate={birthDate}&family={family}&_total=accurate", true));
		probes.add(new Probe("Observation", "/fhir/Observation?subject:Patient.family={family}&_total=accurate", true));
		probes.add(new Probe("Observation",
				"/fhir/Observation?code=http://loinc.org%7C29463-7&_include=Observation:subject&_id={Observation}",
				true));
		probes.add(new Probe("Organization", "/fhir/Organization?_revinclude=Patient:organization&_id={Organization}",
				true));
		probes.add(new Probe("Consent", "/fhir/Consent?organization={Organization}&_total=accurate", true));
		// chains through references that are not the searched record's compartment
		// reference, from a visible person's Observation to the hidden person's relative
		// (its focus and performer), and the :identifier modifier of such a reference:
		// refused for every value, so not in a batch, which they would refuse whole
		for (String chain : List.of("focus:RelatedPerson.name={family}", "focus:RelatedPerson.patient={Patient}",
				"performer:RelatedPerson.name={family}",
				"performer:RelatedPerson.patient:Patient.birthdate={birthDate}", "focus:Patient.family={family}",
				"focus:Patient.birthdate={birthDate}",
				"focus:Patient.identifier=https://fhir.nhs.uk/Id/nhs-number%7C{nhs}", "focus.name={family}",
				"subject:Patient.link:Patient.family={family}")) {
			probes.add(new Probe("Observation", "/fhir/Observation?" + chain + "&_total=accurate", false));
		}
		probes.add(new Probe("Observation", "/fhir/Observation?subject=Patient/{Visible}&_sort=focus:Patient.birthdate",
				false));
		probes.add(
				new Probe("CareTeam", "/fhir/CareTeam?participant:RelatedPerson.name={family}&_total=accurate", false));
		probes.add(new Probe("Patient", "/fhir/Patient?link:Patient.family={family}&_total=accurate", false));
		probes.add(new Probe("Observation",
				"/fhir/Observation?focus:identifier=https://fhir.nhs.uk/Id/nhs-number%7C{nhs}&_total=accurate", true));
		// chains still offered: to the Patient whose record it is, and into the directory
		probes.add(new Probe("CareTeam", "/fhir/CareTeam?participant:Patient.birthdate={birthDate}&_total=accurate",
				true));
		probes.add(new Probe("CareTeam", "/fhir/CareTeam?subject:Patient.family={family}&_total=accurate", true));
		probes.add(new Probe("Patient",
				"/fhir/Patient?organization:Organization.identifier=Y99901&family={family}&_total=accurate", true));
		// includes from a visible record reach the hidden person's relative only to
		// leave it out (the same request in both: only what the answer carries counts)
		probes.add(new Probe("Observation",
				"/fhir/Observation?_id={VisibleObservation}&_include=Observation:focus&_total=accurate", false));
		probes.add(new Probe("Observation", "/fhir/Observation?_id={VisibleObservation}&_include=Observation:performer"
				+ "&_include:iterate=RelatedPerson:patient", false));
		probes.add(new Probe("Patient",
				"/fhir/Patient?_id={Visible}&_revinclude=Observation:subject"
						+ "&_revinclude:iterate=RelatedPerson:patient&_revinclude:iterate=Observation:performer",
				false));
		probes.add(new Probe("RelatedPerson", "/fhir/RelatedPerson?_id={RelatedPerson}&_revinclude=Observation:focus",
				true));
		return probes;
	}

	private String batch(String type, List<Probe> probes, Map<String, String> ids) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.fromCode(type));
		for (Probe probe : probes) {
			bundle.addEntry()
				.getRequest()
				.setMethod(Bundle.HTTPVerb.GET)
				.setUrl(probe.path(ids).substring("/fhir/".length()));
		}
		return fhir.newJsonParser().encodeResourceToString(bundle);
	}

	private Response send(String caller, String path) {
		return send(caller, "GET", path, null);
	}

	private Response send(String caller, String method, String path, String body, String... headers) {
		List<String> all = new ArrayList<>(List.of(headers));
		if (this.ownTokens.containsKey(caller)) {
			all.add("Authorization");
			all.add("Bearer " + this.ownTokens.get(caller));
		}
		if (body != null && !all.contains("Content-Type")) {
			all.add("Content-Type");
			all.add(FhirHttp.FHIR_JSON);
		}
		return this.callers.get(caller).send(method, path, body, all.toArray(String[]::new));
	}

	/**
	 * What differs between the answer about the hidden person and the one about ids that
	 * do not exist, once the ids are swapped and what changes on every answer (Bundle
	 * ids, times, paging ids) is masked; null when nothing does.
	 */
	private String difference(Response onHidden, Response onMissing) {
		if (onHidden.status() != onMissing.status()) {
			return "status " + onHidden.status() + " against " + onMissing.status() + ": " + abbreviated(onHidden);
		}
		for (String header : HEADERS_A_CLIENT_READS) {
			String hidden = normalised(this.hidden.swapped(String.valueOf(onHidden.header(header))));
			String missing = normalised(String.valueOf(onMissing.header(header)));
			if (!hidden.equals(missing)) {
				return "header " + header + ": " + hidden + " against " + missing;
			}
		}
		if ((onHidden.header("last-modified") == null) != (onMissing.header("last-modified") == null)) {
			return "header last-modified present on one answer only";
		}
		String hidden = normalised(this.hidden.swapped(onHidden.body()));
		String missing = normalised(onMissing.body());
		return hidden.equals(missing) ? null : "body " + abbreviated(hidden) + " against " + abbreviated(missing);
	}

	/**
	 * Also the path HAPI names a missing reference by where two search parameters index
	 * it ({@code Flag.subject}, {@code Flag.subject.where(resolve() is Patient)}): HAPI
	 * keeps a resource's links in a HashSet of objects hashed by identity, so which one
	 * it names differs from request to request, for a hidden record as for a missing one.
	 */
	private static String normalised(String text) {
		return text
			.replaceAll("(specified in path: [A-Za-z]+\\.[A-Za-z]+)\\.where\\(resolve\\(\\) is [A-Za-z]+\\)", "$1")
			.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
			.replaceAll("\"lastUpdated\":\"[^\"]*\"", "\"lastUpdated\":\"<time>\"")
			.replaceAll("_getpages=[^&\"]*", "_getpages=<id>")
			.replaceAll("\"id\":\"[^\"]*\",\"meta\"", "\"id\":\"<id>\",\"meta\"");
	}

	private static String abbreviated(Response response) {
		return response.status() + " " + abbreviated(response.body());
	}

	private static String abbreviated(String text) {
		return (text.length() > 400) ? text.substring(0, 400) + "..." : text;
	}

	/**
	 * One request, with {@code {Type}} or {@code {id}} (the probe type's hidden resource)
	 * and {@code {family}}, {@code {birthDate}}, {@code {nhs}} standing for the person.
	 */
	record Probe(String type, String template, boolean namesThePerson) {

		String path(Map<String, String> ids) {
			String path = this.template.replace("{id}", ids.getOrDefault(this.type, "none"));
			for (Map.Entry<String, String> id : ids.entrySet()) {
				path = path.replace("{" + id.getKey() + "}", id.getValue());
			}
			return path;
		}

	}

	/** The person who refused, their resources, and ids like theirs that do not exist. */
	record HiddenPerson(Map<String, String> ids, Map<String, String> missingIds, String family, String nhsNumber,
			String birthDate, String weight, String ods, Map<String, String> values,
			Map<String, String> missingValues) {

		static HiddenPerson recordedBy(FhirHttp gp, String ods) {
			long unique = System.nanoTime();
			// their weight in kg: a clinical value no other person's record carries
			String weight = String.format(java.util.Locale.ROOT, "%d.%04d", 45 + Math.floorMod(unique, 40),
					Math.floorMod(unique / 40, 10_000));
			String family = "Hidden" + unique;
			String nhs = NhsNumbers.valid(unique);
			String birthDate = "1931-0" + (1 + unique % 9) + "-1" + (unique % 10);
			Map<String, String> ids = new LinkedHashMap<>();
			String organisation = created(gp.post("/fhir/Organization", "{\"resourceType\":\"Organization\","
					+ "\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"" + ods
					+ "\"}],\"name\":\"Custodian " + unique + "\"}"));
			ids.put("Organization", organisation);
			ids.put("Patient",
					created(gp.post("/fhir/Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{"
							+ "\"system\":\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"" + nhs + "\"}],\"name\":[{"
							+ "\"family\":\"" + family + "\",\"given\":[\"Ada\"]}],\"birthDate\":\"" + birthDate
							+ "\",\"managingOrganization\":{\"reference\":\"Organization/" + organisation + "\"}}")));
			String patient = "Patient/" + ids.get("Patient");
			ids.put("Observation", created(gp.post("/fhir/Observation", "{\"resourceType\":\"Observation\","
					+ "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"29463-7\"}]},"
					+ "\"subject\":{\"reference\":\"" + patient + "\"},\"valueQuantity\":{\"value\":" + weight
					+ ",\"unit\":\"kg\"}}")));
			ids.put("Flag", created(gp.post("/fhir/Flag", "{\"resourceType\":\"Flag\",\"status\":\"active\",\"code\":"
					+ "{\"text\":\"note\"},\"subject\":{\"reference\":\"" + patient + "\"}}")));
			// a relative of the hidden person, and a visible person whose records point
			// at
			// the hidden one through references that are not their compartment's
			ids.put("RelatedPerson", created(gp.post("/fhir/RelatedPerson", "{\"resourceType\":\"RelatedPerson\","
					+ "\"active\":true,\"patient\":{\"reference\":\"" + patient + "\"},\"relationship\":[{"
					+ "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-RoleCode\",\"code\":"
					+ "\"DAUC\",\"display\":\"daughter\"}]}],\"name\":[{\"family\":\"" + family
					+ "\",\"given\":[\"Bea\"]}],\"telecom\":[{\"system\":\"phone\",\"value\":\"07700 900002\"}]}")));
			String visible = created(gp.post("/fhir/Patient", "{\"resourceType\":\"Patient\",\"name\":[{"
					+ "\"family\":\"Visible" + unique + "\"}],\"birthDate\":\"1950-05-05\"}"));
			String visibleObservation = created(gp.post("/fhir/Observation", "{\"resourceType\":\"Observation\","
					+ "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":"
					+ "\"75275-8\"}]},\"subject\":{\"reference\":\"Patient/" + visible + "\"},\"focus\":[{"
					+ "\"reference\":\"RelatedPerson/" + ids.get("RelatedPerson") + "\"}],\"performer\":[{"
					+ "\"reference\":\"RelatedPerson/" + ids.get("RelatedPerson") + "\"}],\"valueString\":\"carer\"}"));
			HiddenPerson person = new HiddenPerson(ids, new LinkedHashMap<>(), family, nhs, birthDate, weight, ods,
					new LinkedHashMap<>(), new LinkedHashMap<>());
			// the same in both: the visible person is no secret
			person.values().putAll(Map.of("Visible", visible, "VisibleObservation", visibleObservation));
			person.missingValues().putAll(Map.of("Visible", visible, "VisibleObservation", visibleObservation));
			ids.put("Consent",
					created(gp.post("/fhir/Consent", person.consent("active", "deny", "2026-11-01T10:00:00Z"))));
			// the practice is in the directory, seen by all: the same in both
			ids.forEach((type, id) -> person.missingIds()
				.put(type, "Organization".equals(type) ? id : "missing" + unique + type.length()));
			person.values().putAll(ids);
			person.values().putAll(Map.of("family", family, "birthDate", birthDate, "nhs", nhs));
			person.missingValues().putAll(person.missingIds());
			person.missingValues()
				.putAll(Map.of("family", "Nobody" + unique, "birthDate", "1930-12-31", "nhs",
						NhsNumbers.valid(unique + 1_000_003)));
			return person;
		}

		String patient() {
			return "Patient/" + this.ids.get("Patient");
		}

		String consent(String status, String provision, String dateTime) {
			return "{\"resourceType\":\"Consent\",\"status\":\"" + status + "\",\"scope\":{\"coding\":[{\"system\":"
					+ "\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
					+ "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
					+ "\"code\":\"IDSCL\"}]}],\"patient\":{\"reference\":\"" + patient() + "\"},\"dateTime\":\""
					+ dateTime + "\",\"performer\":[{\"reference\":\"" + patient() + "\"}],"
					+ "\"organization\":[{\"reference\":\"Organization/" + this.ids.get("Organization")
					+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\""
					+ provision + "\"}}";
		}

		/**
		 * The identifiable thing about the person the answer carries beyond what the
		 * request itself named (an answer may echo the request, as a self link does), or
		 * null. Their resources are looked for as resources (by id), not as text.
		 */
		String mentionedIn(String answer, String request) {
			for (Map.Entry<String, String> detail : Map
				.of("name", this.family, "NHS number", this.nhsNumber, "date of birth", this.birthDate,
						"weight (a clinical value)", this.weight)
				.entrySet()) {
				if (!request.contains(detail.getValue()) && answer.contains(detail.getValue())) {
					return detail.getKey();
				}
			}
			for (Map.Entry<String, String> id : this.ids.entrySet()) {
				if (!"Organization".equals(id.getKey()) && answer.contains("\"id\":\"" + id.getValue() + "\"")) {
					return id.getKey();
				}
			}
			return null;
		}

		/**
		 * The practice keeping the person's record, if the answer names it beyond what
		 * the request named, or null. The practice is in the directory, seen by all; that
		 * it keeps this person's record is not.
		 */
		String custodianIn(String answer, String request) {
			String organisation = this.ids.get("Organization");
			if (!request.contains(organisation) && answer.contains(organisation)) {
				return "practice's Organization id";
			}
			return (!request.contains(this.ods) && answer.contains(this.ods)) ? "practice's ODS code" : null;
		}

		/** The text with the person's ids and details replaced by the missing ones'. */
		String swapped(String text) {
			String swapped = text;
			for (Map.Entry<String, String> value : this.values.entrySet()) {
				swapped = swapped.replace(value.getValue(), this.missingValues.get(value.getKey()));
			}
			return swapped;
		}

		private static String created(Response response) {
			assertThat(response.status()).as(response.body()).isEqualTo(201);
			String location = response.header("Location");
			return location.replaceAll(".*/fhir/[A-Za-z]+/([^/]+)/_history/.*", "$1");
		}

	}

	/** NHS numbers that pass the Modulus 11 check. */
	static final class NhsNumbers {

		static String valid(long seed) {
			for (long candidate = 900_000_000L + Math.floorMod(seed, 90_000_000L);; candidate++) {
				String digits = String.valueOf(candidate);
				int sum = 0;
				for (int i = 0; i < 9; i++) {
					sum += (digits.charAt(i) - '0') * (10 - i);
				}
				int check = 11 - (sum % 11);
				if (check == 11) {
					check = 0;
				}
				if (check != 10) {
					return digits + check;
				}
			}
		}

	}

}
