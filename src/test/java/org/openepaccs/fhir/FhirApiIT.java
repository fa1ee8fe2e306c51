package org.openepaccs.fhir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openepaccs.testsupport.TestPatients.TEST_IDS;
import static org.openepaccs.testsupport.TestPatients.identifier;
import static org.openepaccs.testsupport.TestPatients.patient;

/**
 * The FHIR REST API a GP system, an OOH viewer or a SPOC hub uses, over HTTP, on
 * PostgreSQL.
 */
@EpaccsIntegrationTest
class FhirApiIT {

	@LocalServerPort
	int port;

	FhirHttp http;

	IGenericClient client;

	@BeforeEach
	void connect() {
		this.http = new FhirHttp(this.port);
		this.client = this.http.client();
	}

	@Test
	void metadataNamesThisServerItsVersionAndWhatItSupports() {
		Response response = this.http.get("/fhir/metadata");

		assertThat(response.status()).isEqualTo(200);
		CapabilityStatement statement = response.resource(CapabilityStatement.class);
		assertThat(statement.getSoftware().getName()).isEqualTo("EPaCCS FHIR Server");
		assertThat(statement.getSoftware().getVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
		assertThat(statement.getPublisher()).isEqualTo("Open EPaCCS project");
		assertThat(statement.getFhirVersion().toCode()).isEqualTo("4.0.1");
		assertThat(statement.getFormat()).extracting("value").contains("application/fhir+json", "application/fhir+xml");
		assertThat(statement.getRestFirstRep().getInteraction()).extracting(i -> i.getCode().toCode())
			.contains("transaction");
		List<String> types = statement.getRestFirstRep().getResource().stream().map(r -> r.getType()).toList();
		assertThat(types).hasSizeGreaterThan(140)
			.contains("Patient", "EpisodeOfCare", "CarePlan", "Flag", "Consent", "Observation", "CareTeam",
					"RelatedPerson", "DocumentReference", "Procedure", "Provenance");
		CapabilityStatementRestResourceComponent patient = statement.getRestFirstRep()
			.getResource()
			.stream()
			.filter(r -> r.getType().equals("Patient"))
			.findFirst()
			.orElseThrow();
		assertThat(patient.getInteraction()).extracting(i -> i.getCode())
			.contains(TypeRestfulInteraction.READ, TypeRestfulInteraction.VREAD, TypeRestfulInteraction.UPDATE,
					TypeRestfulInteraction.DELETE, TypeRestfulInteraction.CREATE,
					TypeRestfulInteraction.HISTORYINSTANCE, TypeRestfulInteraction.SEARCHTYPE);
		assertThat(patient.getConditionalCreate()).isTrue();
		assertThat(patient.getConditionalUpdate()).isTrue();
	}

	@Test
	void createReadUpdateVreadHistoryAndDelete() {
		Patient margaret = patient("Margaret", identifier());
		Response created = this.http.post("/fhir/Patient", FhirHttp.json(margaret));
		assertThat(created.status()).isEqualTo(201);
		assertThat(created.header("ETag")).isEqualTo("W/\"1\"");
		String id = created.resource(Patient.class).getIdElement().getIdPart();

		Patient read = this.client.read().resource(Patient.class).withId(id).execute();
		assertThat(read.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Margaret");

		read.setGender(AdministrativeGender.FEMALE);
		MethodOutcome updated = this.client.update().resource(read).execute();
		assertThat(updated.getId().getVersionIdPart()).isEqualTo("2");

		Patient version1 = this.client.read().resource(Patient.class).withIdAndVersion(id, "1").execute();
		assertThat(version1.hasGender()).isFalse();
		Bundle history = this.client.history().onInstance("Patient/" + id).returnBundle(Bundle.class).execute();
		assertThat(history.getEntry()).hasSize(2);

		assertThat(this.http.send("DELETE", "/fhir/Patient/" + id, null).status()).isEqualTo(200);
		assertThat(this.http.get("/fhir/Patient/" + id).status()).isEqualTo(410);
		// deleting keeps the history: who wrote what stays auditable
		assertThat(this.http.get("/fhir/Patient/" + id + "/_history/2").status()).isEqualTo(200);
	}

	@Test
	void xmlInAndOut() {
		String xml = "<Patient xmlns=\"http://hl7.org/fhir\"><identifier><system value=\"" + TEST_IDS
				+ "\"/><value value=\"" + identifier() + "\"/></identifier><name><family value=\"Okafor\"/></name>"
				+ "</Patient>";
		Response created = this.http.post("/fhir/Patient", xml, "Content-Type", "application/fhir+xml", "Accept",
				"application/fhir+xml");
		assertThat(created.status()).isEqualTo(201);
		assertThat(created.header("Content-Type")).startsWith("application/fhir+xml");
		assertThat(created.body()).contains("<family value=\"Okafor\"/>");
	}

	@Test
	void searchPagesThroughEveryMatchWithNextLinks() {
		String family = "Paging" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
		Bundle batch = new Bundle().setType(BundleType.BATCH);
		for (int i = 0; i < 7; i++) {
			batch.addEntry()
				.setResource(patient("P" + i, identifier())
					.setName(List.of(new org.hl7.fhir.r4.model.HumanName().setFamily(family).addGiven("P" + i))))
				.getRequest()
				.setMethod(HTTPVerb.POST)
				.setUrl("Patient");
		}
		this.client.transaction().withBundle(batch).execute();

		Set<String> seen = new HashSet<>();
		List<Integer> pageSizes = new ArrayList<>();
		Bundle page = this.client.search()
			.forResource(Patient.class)
			.where(Patient.FAMILY.matchesExactly().value(family))
			.count(3)
			.returnBundle(Bundle.class)
			.execute();
		while (true) {
			pageSizes.add(page.getEntry().size());
			page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
			if (page.getLink(Bundle.LINK_NEXT) == null) {
				break;
			}
			page = this.client.loadPage().next(page).execute();
		}
		assertThat(pageSizes).containsExactly(3, 3, 1);
		assertThat(seen).hasSize(7);
	}

	@Test
	void pageSizeIsCappedAtTheConfiguredMaximum() {
		String family = "Cap" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
		Bundle batch = new Bundle().setType(BundleType.BATCH);
		for (int i = 0; i < 205; i++) {
			Patient p = new Patient();
			p.addName().setFamily(family);
			batch.addEntry().setResource(p).getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
		}
		this.client.transaction().withBundle(batch).execute();

		Bundle page = this.client.search()
			.forResource(Patient.class)
			.where(Patient.FAMILY.matchesExactly().value(family))
			.count(5000)
			.returnBundle(Bundle.class)
			.execute();
		assertThat(page.getEntry()).hasSize(200);
		assertThat(page.getLink(Bundle.LINK_NEXT)).isNotNull();
	}

	@Test
	void includeRevincludeSummaryAndElements() {
		Patient patient = createPatient("Include");
		String observationId = createObservationAbout(patient);

		Bundle included = this.client.search()
			.byUrl("Observation?_id=" + observationId + "&_include=Observation:subject")
			.returnBundle(Bundle.class)
			.execute();
		assertThat(included.getEntry()).extracting(e -> e.getResource().fhirType())
			.containsExactlyInAnyOrder("Observation", "Patient");

		Bundle revincluded = this.client.search()
			.byUrl("Patient?_id=" + patient.getIdElement().getIdPart() + "&_revinclude=Observation:subject")
			.returnBundle(Bundle.class)
			.execute();
		assertThat(revincluded.getEntry()).extracting(e -> e.getResource().fhirType())
			.containsExactlyInAnyOrder("Observation", "Patient");

		Response elements = this.http.get("/fhir/Patient/" + patient.getIdElement().getIdPart() + "?_elements=name");
		assertThat(elements.body()).contains("SUBSETTED").contains("Include").doesNotContain(TEST_IDS);

		Response count = this.http.get("/fhir/Patient?_id=" + patient.getIdElement().getIdPart() + "&_summary=count");
		assertThat(count.resource(Bundle.class).getTotal()).isEqualTo(1);
		assertThat(count.resource(Bundle.class).getEntry()).isEmpty();
	}

	@Test
	void conditionalCreateWithTheSameIdentifierTwiceStoresOnePatient() {
		String value = identifier();
		String body = FhirHttp.json(patient("Idempotent", value));
		String ifNoneExist = "identifier=" + TEST_IDS + "|" + value;

		Response first = this.http.post("/fhir/Patient", body, "If-None-Exist", ifNoneExist);
		Response second = this.http.post("/fhir/Patient", body, "If-None-Exist", ifNoneExist);

		assertThat(first.status()).isEqualTo(201);
		assertThat(second.status()).isEqualTo(200);
		assertThat(idInLocation(second)).isEqualTo(idInLocation(first));
		assertThat(countWithIdentifier(value)).isEqualTo(1);
	}

	@Test
	void conditionalUpdateByIdentifierCreatesThenUpdatesTheSamePatient() {
		String value = identifier();
		String url = "/fhir/Patient?identifier=" + TEST_IDS + "%7C" + value;

		Response first = this.http.put(url, FhirHttp.json(patient("Before", value)));
		Response second = this.http.put(url, FhirHttp.json(patient("After", value)));

		assertThat(first.status()).isEqualTo(201);
		assertThat(second.status()).isEqualTo(200);
		assertThat(second.header("ETag")).isEqualTo("W/\"2\"");
		assertThat(idInLocation(second)).isEqualTo(idInLocation(first));
		assertThat(countWithIdentifier(value)).isEqualTo(1);
	}

	@Test
	void transactionWithOneInvalidEntryIsRejectedWholeAndStoresNothing() {
		String value = identifier();
		Bundle transaction = new Bundle().setType(BundleType.TRANSACTION);
		transaction.addEntry()
			.setFullUrl("urn:uuid:" + UUID.randomUUID())
			.setResource(patient("Whole", value))
			.getRequest()
			.setMethod(HTTPVerb.POST)
			.setUrl("Patient");
		Observation dangling = new Observation();
		dangling.setStatus(Observation.ObservationStatus.FINAL);
		dangling.getCode().setText("prognosis");
		dangling.setSubject(new Reference("Patient/does-not-exist-" + UUID.randomUUID()));
		transaction.addEntry().setResource(dangling).getRequest().setMethod(HTTPVerb.POST).setUrl("Observation");

		Response response = this.http.post("/fhir", FhirHttp.json(transaction));

		assertThat(response.status()).isBetween(400, 499);
		assertThat(response.diagnostics()).contains("does-not-exist");
		assertThat(countWithIdentifier(value)).isZero();
	}

	@Test
	void transactionStoresAllEntriesAndResolvesTheirReferences() {
		String value = identifier();
		String patientUrn = "urn:uuid:" + UUID.randomUUID();
		Bundle transaction = new Bundle().setType(BundleType.TRANSACTION);
		transaction.addEntry()
			.setFullUrl(patientUrn)
			.setResource(patient("Together", value))
			.getRequest()
			.setMethod(HTTPVerb.POST)
			.setUrl("Patient");
		Observation observation = new Observation();
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.getCode().setText("prognosis");
		observation.setSubject(new Reference(patientUrn));
		transaction.addEntry().setResource(observation).getRequest().setMethod(HTTPVerb.POST).setUrl("Observation");

		Bundle response = this.client.transaction().withBundle(transaction).execute();

		assertThat(response.getEntry()).extracting(e -> e.getResponse().getStatus()).allMatch(s -> s.startsWith("201"));
		String patientId = new org.hl7.fhir.r4.model.IdType(response.getEntry().get(0).getResponse().getLocation())
			.getIdPart();
		Bundle observations = this.client.search()
			.byUrl("Observation?subject=Patient/" + patientId)
			.returnBundle(Bundle.class)
			.execute();
		assertThat(observations.getEntry()).hasSize(1);
	}

	@Test
	void staleIfMatchIsRefusedWith412AndChangesNothing() {
		Patient patient = createPatient("Stale");
		String path = "/fhir/Patient/" + patient.getIdElement().getIdPart();
		patient.setGender(AdministrativeGender.FEMALE);
		assertThat(this.http.put(path, FhirHttp.json(patient), "If-Match", "W/\"1\"").status()).isEqualTo(200);

		patient.setGender(AdministrativeGender.MALE);
		Response stale = this.http.put(path, FhirHttp.json(patient), "If-Match", "W/\"1\"");

		assertThat(stale.status()).isEqualTo(412);
		assertThat(stale.diagnostics()).contains("not the current version");
		Response current = this.http.get(path);
		assertThat(current.header("ETag")).isEqualTo("W/\"2\"");
		assertThat(current.resource(Patient.class).getGender()).isEqualTo(AdministrativeGender.FEMALE);
	}

	@Test
	void deleteWithAStaleIfMatchIsRefusedWith412AndKeepsTheResource() {
		Patient patient = createPatient("StaleDelete");
		String path = "/fhir/Patient/" + patient.getIdElement().getIdPart();
		assertThat(this.http.put(path, FhirHttp.json(patient.setActive(true))).status()).isEqualTo(200);

		Response stale = this.http.send("DELETE", path, null, "If-Match", "W/\"1\"");

		assertThat(stale.status()).isEqualTo(412);
		assertThat(this.http.get(path).status()).isEqualTo(200);
		assertThat(this.http.send("DELETE", path, null, "If-Match", "W/\"2\"").status()).isEqualTo(200);
		assertThat(this.http.get(path).status()).isEqualTo(410);
	}

	@Test
	void deletingAResourceThatIsStillReferencedIsAConflictEvenWithACurrentIfMatch() {
		Patient patient = createPatient("Referenced");
		createObservationAbout(patient);
		String path = "/fhir/Patient/" + patient.getIdElement().getIdPart();

		Response refused = this.http.send("DELETE", path, null, "If-Match", "W/\"1\"");

		assertThat(refused.status()).isEqualTo(409);
		assertThat(this.http.get(path).status()).isEqualTo(200);
	}

	@Test
	void concurrentUpdatesOfOneResourceNeverLoseAWriteSilently() throws Exception {
		Patient patient = createPatient("Race");
		String path = "/fhir/Patient/" + patient.getIdElement().getIdPart();
		int writers = 8;
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(writers);
		List<Future<Integer>> results = new ArrayList<>();
		for (int i = 0; i < writers; i++) {
			String given = "Writer" + i;
			boolean withIfMatch = i % 2 == 0;
			Callable<Integer> write = () -> {
				Patient mine = patient(given, patient.getIdentifierFirstRep().getValue());
				mine.setId(patient.getIdElement().getIdPart());
				start.await();
				return withIfMatch ? this.http.put(path, FhirHttp.json(mine), "If-Match", "W/\"1\"").status()
						: this.http.put(path, FhirHttp.json(mine)).status();
			};
			results.add(pool.submit(write));
		}
		start.countDown();
		List<Integer> statuses = new ArrayList<>();
		for (Future<Integer> result : results) {
			statuses.add(result.get());
		}
		pool.shutdown();

		// every writer is told the truth: its write is stored (200) or refused (409,
		// 412); never a 5xx
		assertThat(statuses).allMatch(s -> s == 200 || s == 409 || s == 412);
		long stored = statuses.stream().filter(s -> s == 200).count();
		assertThat(stored).isGreaterThanOrEqualTo(1);
		Bundle history = this.client.history()
			.onInstance("Patient/" + patient.getIdElement().getIdPart())
			.returnBundle(Bundle.class)
			.count(100)
			.execute();
		// and every write that was acknowledged is a version in the history
		assertThat(history.getEntry()).hasSize((int) stored + 1);
		Set<String> writtenNames = new HashSet<>();
		history.getEntry()
			.forEach(e -> writtenNames.add(((Patient) e.getResource()).getNameFirstRep().getGivenAsSingleString()));
		assertThat(writtenNames).hasSize((int) stored + 1);
	}

	private String createObservationAbout(Patient patient) {
		Observation observation = new Observation();
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.getCode().setText("Australia-modified Karnofsky Performance Status");
		observation.setSubject(new Reference("Patient/" + patient.getIdElement().getIdPart()));
		return this.client.create().resource(observation).execute().getId().getIdPart();
	}

	private Patient createPatient(String given) {
		Patient patient = patient(given, identifier());
		return (Patient) this.client.create().resource(patient).execute().getResource();
	}

	private int countWithIdentifier(String value) {
		Bundle bundle = this.client.search()
			.byUrl("Patient?identifier=" + TEST_IDS + "|" + value + "&_summary=count")
			.returnBundle(Bundle.class)
			.execute();
		return bundle.getTotal();
	}

	private static String idInLocation(Response response) {
		String location = response.header("Location") != null ? response.header("Location")
				: response.header("Content-Location");
		return new org.hl7.fhir.r4.model.IdType(location).getIdPart();
	}

}
