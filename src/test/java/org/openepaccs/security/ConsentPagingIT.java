package org.openepaccs.security;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Paging says nothing about people hidden from the caller: with hidden people interleaved
 * at random among visible ones, every page but the last is full, the total is exact, and
 * the pages together are exactly the visible people, so no page size, {@code next} link
 * or count can be bisected to find a hidden date of birth.
 */
@EpaccsIntegrationTest
class ConsentPagingIT {

	@LocalServerPort
	int port;

	@Test
	void pagesAreFullAndTotalsTrueWhateverIsHidden() {
		long seed = System.nanoTime();
		Random random = new Random(seed);
		FhirHttp gp = new FhirHttp(this.port); // organisation Y99901, the custodian
		FhirHttp nurse = FhirHttp.as(this.port, "community-nurse"); // organisation Y99902
		String organisation = created(gp.post("/fhir/Organization", "{\"resourceType\":\"Organization\",\"identifier\":"
				+ "[{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"Y99901\"}]}"));
		// several random populations: their size, how many are hidden and where they
		// fall in the order the search sorts by are drawn from the seed
		for (int round = 0; round < 4; round++) {
			String family = "Paged" + seed + "R" + round;
			int people = 3 + random.nextInt(15);
			int hiddenOneIn = 2 + random.nextInt(3);
			Set<String> visible = new HashSet<>();
			Set<String> everyone = new HashSet<>();
			Set<String> visibleWeights = new HashSet<>();
			Set<String> everyWeight = new HashSet<>();
			for (int i = 0; i < people; i++) {
				String patient = created(gp.post("/fhir/Patient",
						"{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family + "\"}],\"birthDate\":\""
								+ (1930 + random.nextInt(60)) + "-0" + (1 + random.nextInt(9)) + "-1"
								+ random.nextInt(10) + "\"}"));
				String weight = created(gp.post("/fhir/Observation", "{\"resourceType\":\"Observation\","
						+ "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":"
						+ "\"29463-7\"}]},\"subject\":{\"reference\":\"Patient/" + patient + "\"},\"valueQuantity\":{"
						+ "\"value\":" + (40 + random.nextInt(50)) + ",\"unit\":\"kg\"}}"));
				everyone.add(patient);
				everyWeight.add(weight);
				if (random.nextInt(hiddenOneIn) == 0) {
					created(gp.post("/fhir/Consent",
							refusal("Patient/" + patient, "{\"reference\":\"Organization/" + organisation + "\"}")));
				}
				else {
					visible.add(patient);
					visibleWeights.add(weight);
				}
			}
			String why = "seed " + seed + ", round " + round + ", " + people + " people, " + visible.size()
					+ " visible";
			String patients = "/fhir/Patient?family=" + family + "&_sort=birthdate";
			String weights = "/fhir/Observation?subject:Patient.family=" + family + "&_sort=value-quantity";
			pagedExactly(nurse, patients, visible, why + ", the nurse's people");
			pagedExactly(nurse, weights, visibleWeights, why + ", the nurse's observations");
			pagedExactly(gp, patients, everyone, why + ", the custodian's people");
			pagedExactly(gp, weights, everyWeight, why + ", the custodian's observations");
		}
	}

	/**
	 * The search in pages of 1 to 4: each total exact, every page with a {@code next}
	 * link full, no empty last page, and the pages together exactly the expected ids.
	 */
	private static void pagedExactly(FhirHttp caller, String search, Set<String> expected, String why) {
		for (int pageSize = 1; pageSize <= 4; pageSize++) {
			String context = why + ", pages of " + pageSize;
			List<String> seen = new ArrayList<>();
			Bundle page = caller.get(search + "&_count=" + pageSize + "&_total=accurate").resource(Bundle.class);
			assertThat(page.getTotal()).as(context).isEqualTo(expected.size());
			while (true) {
				page.getEntry().forEach((entry) -> seen.add(entry.getResource().getIdElement().getIdPart()));
				if (page.getLink(Bundle.LINK_NEXT) == null) {
					assertThat(page.getEntry().size()).as(context + ": the last page").isBetween(0, pageSize);
					break;
				}
				assertThat(page.getEntry()).as(context + ": a page with a next link is full").hasSize(pageSize);
				page = caller.getVerbatim(relative(page.getLink(Bundle.LINK_NEXT).getUrl())).resource(Bundle.class);
			}
			assertThat(seen).as(context).containsExactlyInAnyOrderElementsOf(expected);
			if (!expected.isEmpty() && expected.size() % pageSize == 0) {
				assertThat(seen).as(context + ": no empty last page").hasSize(expected.size());
			}
		}
	}

	/**
	 * With more custodian sets than a search excludes labels (a practice's search then
	 * excludes whole groups of them): the custodian of some sees exactly the people who
	 * share and those whose refusal names it; another organisation, only those who share.
	 */
	@Test
	void aCustodianAmongManyRefusalsSeesExactlyItsOwn() {
		long seed = System.nanoTime();
		Random random = new Random(seed);
		FhirHttp gp = new FhirHttp(this.port); // organisation Y99901
		FhirHttp nurse = FhirHttp.as(this.port, "community-nurse"); // organisation Y99902
		String family = "Custodians" + seed;
		// a search before the refusals: what each caller's searches exclude is worked out
		// once per change of the refusals, and must be worked out again after these
		assertThat(gp.get("/fhir/Patient?family=" + family).resource(Bundle.class).getEntry()).isEmpty();
		Set<String> shared = new HashSet<>();
		Set<String> gpSees = new HashSet<>();
		// in transactions of a few people each, as a GP system sends them
		for (int first = 0; first < 120; first += 15) {
			List<List<String>> custodiansOf = new ArrayList<>();
			List<Integer> patientEntries = new ArrayList<>();
			StringBuilder entries = new StringBuilder();
			int entryCount = 0;
			for (int i = first; i < first + 15; i++) {
				List<String> custodians = switch (random.nextInt(10)) {
					case 0 -> List.of(); // shares
					case 1 -> List.of("Y99901", "Z" + seed % 1000 + "A" + i);
					default -> List.of("Z" + seed % 1000 + "B" + i);
				};
				custodiansOf.add(custodians);
				patientEntries.add(entryCount);
				entryCount += custodians.isEmpty() ? 1 : 2;
				entries.append((i > first) ? "," : "").append(person(family, i, custodians));
			}
			Response stored = gp.post("/fhir",
					"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}");
			assertThat(stored.status()).as(stored.body()).isEqualTo(200);
			List<Bundle.BundleEntryComponent> answers = stored.resource(Bundle.class).getEntry();
			for (int i = 0; i < custodiansOf.size(); i++) {
				String patient = answers.get(patientEntries.get(i))
					.getResponse()
					.getLocation()
					.replaceAll("Patient/([^/]+)/_history/.*", "$1");
				if (custodiansOf.get(i).isEmpty()) {
					shared.add(patient);
				}
				if (custodiansOf.get(i).isEmpty() || custodiansOf.get(i).contains("Y99901")) {
					gpSees.add(patient);
				}
			}
		}
		String why = "seed " + seed;
		assertThat(allPages(gp, "/fhir/Patient?family=" + family + "&_count=7&_total=accurate", why))
			.containsExactlyInAnyOrderElementsOf(gpSees);
		assertThat(allPages(nurse, "/fhir/Patient?family=" + family + "&_count=7&_total=accurate", why))
			.containsExactlyInAnyOrderElementsOf(shared);
	}

	/**
	 * The transaction entries of a person, and of a refusal naming these custodians (ODS
	 * codes) unless there are none.
	 */
	private static String person(String family, int i, List<String> custodians) {
		String fullUrl = String.format("urn:uuid:00000000-0000-4000-8000-%012d", i);
		String patient = "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":{\"resourceType\":\"Patient\",\"name\":[{"
				+ "\"family\":\"" + family + "\",\"given\":[\"N" + i + "\"]}]},\"request\":{\"method\":\"POST\","
				+ "\"url\":\"Patient\"}}";
		if (custodians.isEmpty()) {
			return patient;
		}
		StringBuilder organisations = new StringBuilder();
		for (String ods : custodians) {
			organisations.append((organisations.length() > 0) ? "," : "")
				.append("{\"identifier\":{\"system\":\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"")
				.append(ods)
				.append("\"}}");
		}
		return patient + ",{\"resource\":" + refusal(fullUrl, organisations.toString())
				+ ",\"request\":{\"method\":\"POST\",\"url\":\"Consent\"}}";
	}

	/** A refusal to share by the person, naming these custodians (JSON references). */
	private static String refusal(String patientReference, String organisations) {
		return "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
				+ "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
				+ "\"code\":\"IDSCL\"}]}],\"patient\":{\"reference\":\"" + patientReference + "\"},"
				+ "\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{\"reference\":\"" + patientReference
				+ "\"}],\"organization\":[" + organisations + "],\"policy\":[{\"uri\":"
				+ "\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}";
	}

	/** The ids on every page of a search, each page but the last full. */
	private static List<String> allPages(FhirHttp caller, String search, String why) {
		List<String> seen = new ArrayList<>();
		Bundle page = caller.get(search).resource(Bundle.class);
		int total = page.getTotal();
		while (true) {
			page.getEntry().forEach((entry) -> seen.add(entry.getResource().getIdElement().getIdPart()));
			if (page.getLink(Bundle.LINK_NEXT) == null) {
				break;
			}
			assertThat(page.getEntry()).as(why + ": a page with a next link is full").hasSize(7);
			page = caller.getVerbatim(relative(page.getLink(Bundle.LINK_NEXT).getUrl())).resource(Bundle.class);
		}
		assertThat(seen).as(why + ": the total").hasSize(total);
		return seen;
	}

	@Test
	void aPagingLinkServesOnlyTheCallerWhoSearched() {
		long seed = System.nanoTime();
		FhirHttp gp = new FhirHttp(this.port); // organisation Y99901
		FhirHttp nurse = FhirHttp.as(this.port, "community-nurse"); // organisation Y99902
		FhirHttp hub = FhirHttp.as(this.port, "spoc-hub");
		String family = "Linked" + seed;
		for (int i = 0; i < 3; i++) {
			created(gp.post("/fhir/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family
					+ "\"}],\"birthDate\":\"1941-02-1" + i + "\"}"));
		}
		Bundle first = gp.get("/fhir/Patient?family=" + family + "&_count=1").resource(Bundle.class);
		String next = relative(first.getLink(Bundle.LINK_NEXT).getUrl());
		String searchId = next.replaceAll(".*_getpages=([^&]*).*", "$1");
		assertThat(gp.getVerbatim(next).status()).as("the caller who searched pages on").isEqualTo(200);

		// a search id of the same shape that names no search: what HAPI answers for it
		String unknownId = "00000000-0000-4000-8000-000000000000" + searchId.substring(36);
		for (FhirHttp other : List.of(nurse, hub)) {
			Response stolen = other.getVerbatim(next);
			Response unknown = other.getVerbatim(next.replace(searchId, unknownId));
			assertThat(stolen.status()).as(stolen.body()).isEqualTo(410);
			assertThat(stolen.body()).doesNotContain(family);
			assertThat(stolen.body().replace(searchId, unknownId)).isEqualTo(unknown.body());
			assertThat(stolen.header("Content-Type")).isEqualTo(unknown.header("Content-Type"));
		}
		// the owner is part of the id: another owner's digest names no search
		String retagged = searchId.substring(0, 37) + (searchId.endsWith("0") ? "1" : "0") + searchId.substring(38);
		Response retaggedPage = gp.getVerbatim(next.replace(searchId, retagged));
		assertThat(retaggedPage.status()).as(retaggedPage.body()).isEqualTo(410);
		Response bare = nurse.getVerbatim(next.replace(searchId, searchId.substring(0, 36)));
		assertThat(bare.status()).as("the bare UUID names no search a client can page").isEqualTo(410);
		assertThat(bare.body()).doesNotContain(family);
	}

	@Test
	void aNextLinksQueryOnTheSearchedTypeIsTheSamePageForTheSameCallerOnly() {
		// as @medplum/core follows a next link: its query parameters on the searched type
		long seed = System.nanoTime();
		FhirHttp gp = new FhirHttp(this.port);
		FhirHttp nurse = FhirHttp.as(this.port, "community-nurse");
		String family = "Typed" + seed;
		for (int i = 0; i < 3; i++) {
			created(gp.post("/fhir/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family
					+ "\",\"given\":[\"G" + i + "\"]}],\"birthDate\":\"1941-03-1" + i + "\"}"));
		}
		Bundle first = gp.get("/fhir/Patient?family=" + family + "&_count=1").resource(Bundle.class);
		String next = relative(first.getLink(Bundle.LINK_NEXT).getUrl());
		String typed = next.replaceFirst("^/fhir\\?", "/fhir/Patient?");
		assertThat(typed).isNotEqualTo(next);

		Response atBase = gp.getVerbatim(next);
		Response onType = gp.getVerbatim(typed);
		assertThat(onType.status()).as(onType.body()).isEqualTo(200);
		Bundle page = onType.resource(Bundle.class);
		assertThat(page.getEntry()).hasSize(1);
		assertThat(page.getEntryFirstRep().getResource().getIdElement().getIdPart())
			.isEqualTo(atBase.resource(Bundle.class).getEntryFirstRep().getResource().getIdElement().getIdPart())
			.isNotEqualTo(first.getEntryFirstRep().getResource().getIdElement().getIdPart());

		Response stolen = nurse.getVerbatim(typed);
		assertThat(stolen.status()).as(stolen.body()).isEqualTo(410);
		assertThat(stolen.body()).doesNotContain(family);
		// anything beyond paging parameters stays a search of the type, which HAPI
		// refuses
		Response mixed = gp.getVerbatim(typed + "&family=" + family);
		assertThat(mixed.status()).as(mixed.body()).isEqualTo(400);
	}

	private static String relative(String url) {
		return url.substring(url.indexOf("/fhir"));
	}

	private static String created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return response.header("Location").replaceAll(".*/fhir/[A-Za-z]+/([^/]+)/_history/.*", "$1");
	}

}
