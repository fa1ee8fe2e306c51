package org.openepaccs.summary;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * At 3 a.m. an out-of-hours clinician asks for a person's plan by NHS number and gets it
 * in one call: a FHIR document with every part of the plan, readable as it stands.
 */
@EpaccsIntegrationTest
class PlanSummaryIT {

	private static final String NHS = NhsNumber.SYSTEM;

	private static final String DOCUMENT_PROFILE = "https://fhir.openepaccs.org/StructureDefinition/epaccs-summary-document";

	private static final String COMPOSITION_PROFILE = "https://fhir.openepaccs.org/StructureDefinition/epaccs-summary-composition";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp gp;

	FhirHttp ooh;

	String margaret;

	String margaretsNhsNumber;

	String leosNhsNumber;

	/**
	 * The story records, as people of their own: other tests store the same stories, and
	 * one NHS number on two records gets no summary.
	 */
	@BeforeEach
	void theStoryRecordsAreStored() {
		this.gp = new FhirHttp(this.port);
		this.ooh = FhirHttp.as(this.port, "ooh-clinician");
		String suffix = "-s" + System.nanoTime();
		this.margaret = "margaret" + suffix;
		this.margaretsNhsNumber = TestNhsNumbers.unused();
		this.leosNhsNumber = TestNhsNumbers.unused();
		store(Examples.read(Path.of("profiles", "examples", "Bundle-margaret-record.json"))
			.replaceAll("(?<=[/\"])margaret(?=[-\"])", this.margaret)
			.replace("9990000018", this.margaretsNhsNumber));
		store(Examples.read(Path.of("profiles", "examples", "Bundle-leo-record.json"))
			.replaceAll("(?<=[/\"])leo(?=[-\"])", "leo" + suffix)
			.replace("9990000026", this.leosNhsNumber));
	}

	private void store(String story) {
		Response stored = this.gp.post("/fhir", story);
		assertThat(stored.status()).as(stored.body()).isEqualTo(200);
	}

	@Test
	void anAdultsSummaryByNhsNumberHasEveryPartOfThePlanWithNarrative() {
		Response response = this.ooh
			.get("/fhir/Patient/$epaccs-summary?identifier=" + NHS + "%7C" + this.margaretsNhsNumber);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		Bundle summary = response.resource(Bundle.class);
		assertThat(summary.getType()).isEqualTo(Bundle.BundleType.DOCUMENT);
		assertThat(summary.getIdentifier().getValue()).startsWith("urn:uuid:");
		Composition composition = (Composition) summary.getEntryFirstRep().getResource();
		assertThat(composition.getType().getCodingFirstRep().getCode()).isEqualTo("861421000000109");
		assertThat(composition.getSubject().getReference()).isEqualTo("Patient/" + this.margaret);
		assertThat(composition.getText().getDivAsString()).contains(this.margaretsNhsNumber);
		assertThat(composition.getSection()).extracting(Composition.SectionComponent::getTitle)
			.containsExactly("Palliative care register and key worker", "CPR decision and ReSPECT recommendations",
					"Advance decision to refuse treatment, lasting power of attorney and consent",
					"Preferred places of care and death", "Advance care plan and what matters to the person",
					"Anticipatory medicines and where they are kept",
					"Other current medicines (not anticipatory medicines)", "Prognosis and awareness",
					"Functional status", "Care team and 24/7 contacts", "Carers and next of kin", "Documents");

		assertThat(section(composition, "Palliative care register")).contains("On the palliative care register since")
			.contains("identified by: SPICT")
			.contains("Key worker: Tom Jones");
		assertThat(entries(composition, "Palliative care register"))
			.contains("EpisodeOfCare/" + this.margaret + "-register", "Flag/" + this.margaret + "-register-alert");
		assertThat(section(composition, "CPR decision")).contains("<b>CPR decision: Not for CPR")
			.contains("Not recommended: Cardiopulmonary resuscitation")
			.contains("care priority 80");
		assertThat(entries(composition, "CPR decision")).contains("Flag/" + this.margaret + "-cpr",
				"CarePlan/" + this.margaret + "-respect");
		assertThat(section(composition, "Advance decision")).contains("Advance decision to refuse treatment")
			.contains("covers life-sustaining treatment: yes")
			.contains("Consent to share this record: given");
		String places = section(composition, "Preferred places");
		assertThat(places.indexOf("1st choice: Preferred place of death: home"))
			.isLessThan(places.indexOf("2nd choice: Preferred place of death: hospice"))
			.isPositive();
		assertThat(section(composition, "Advance care plan")).contains("What matters: Stay at home with her cat");
		assertThat(section(composition, "Anticipatory medicines")).contains("Kitchen cupboard");
		assertThat(section(composition, "Prognosis")).contains("Last months of life").contains("Aware of prognosis");
		assertThat(section(composition, "Functional status")).contains("AKPS");
		assertThat(section(composition, "Care team")).contains("<b>24/7 palliative care advice line")
			.contains("01632 960003");
		assertThat(section(composition, "Carers")).contains("(husband").contains("Susan");
		assertThat(entries(composition, "Documents")).contains("DocumentReference/" + this.margaret + "-respect-form");
		// who last changed each item: the GP system that stored it
		assertThat(section(composition, "CPR decision")).contains("changed ").contains(" by gp-system");

		// every reference in the document resolves inside it
		List<String> inside = summary.getEntry()
			.stream()
			.skip(1)
			.map((entry) -> entry.getResource().fhirType() + "/" + entry.getResource().getIdElement().getIdPart())
			.toList();
		composition.getSection()
			.forEach((section) -> section.getEntry()
				.forEach((entry) -> assertThat(inside).contains(entry.getReference())));
		assertThat(inside).contains("PractitionerRole/nurse-tom-jones-community", "Organization/northfield-spoc",
				"Practitioner/nurse-tom-jones");
	}

	@Test
	void theSummaryIsAValidFhirDocument() {
		Response summary = this.ooh.get("/fhir/Patient/" + this.margaret + "/$epaccs-summary");
		assertThat(summary.status()).isEqualTo(200);

		Response validated = this.gp.post("/fhir/Bundle/$validate", summary.body());

		assertThat(summary.resource(Bundle.class).getMeta().getProfile()).extracting((profile) -> profile.getValue())
			.containsExactly(DOCUMENT_PROFILE);
		assertThat(validated.status()).as(validated.body()).isEqualTo(200);
		assertThat(validated.outcome().getIssue()).filteredOn((issue) -> issue.getSeverity().ordinal() <= 1) // fatal,
																												// error
			.as(validated.body())
			.isEmpty();
	}

	/**
	 * One summary per story of scenarios.md, each validated by the server against the
	 * summary profiles: Margaret at 3 a.m.; Leo; a person who refused sharing, seen by
	 * their own practice and through break-glass; the SPOC hub's morning look at a person
	 * on its list; and Margaret's record after the GP system sent it twice.
	 */
	@Test
	void everyStorysSummaryIsAConformantSummaryDocument() {
		String refused = refusedSharing();
		assertConformant(this.ooh.get(byNumber(this.margaretsNhsNumber)), "Margaret at 3 a.m.");
		assertConformant(this.ooh.get(byNumber(this.leosNhsNumber)), "Leo");
		assertConformant(this.gp.get(byNumber(refused)), "refused sharing, own practice");
		assertConformant(this.ooh.get(byNumber(refused), "X-Break-Glass", "unconscious at home, plan needed"),
				"refused sharing, break-glass");
		assertConformant(FhirHttp.as(this.port, "spoc-hub").get("/fhir/Patient/" + this.margaret + "/$epaccs-summary"),
				"SPOC hub");
		theStoryRecordsAreStoredAgain();
		Bundle twice = assertConformant(this.ooh.get(byNumber(this.margaretsNhsNumber)), "Margaret uploaded twice");
		assertThat(twice.getEntry()).extracting(Bundle.BundleEntryComponent::getFullUrl).doesNotHaveDuplicates();
	}

	private void theStoryRecordsAreStoredAgain() {
		store(Examples.read(Path.of("profiles", "examples", "Bundle-margaret-record.json"))
			.replaceAll("(?<=[/\"])margaret(?=[-\"])", this.margaret)
			.replace("9990000018", this.margaretsNhsNumber));
	}

	private Bundle assertConformant(Response summary, String story) {
		assertThat(summary.status()).as(story + ": " + summary.body()).isEqualTo(200);
		Response validated = this.gp.post("/fhir/Bundle/$validate?profile=" + DOCUMENT_PROFILE, summary.body());
		assertThat(validated.status()).as(story + ": " + validated.body()).isEqualTo(200);
		assertThat(validated.outcome().getIssue()).as(story + ": " + validated.body())
			.filteredOn((issue) -> issue.getSeverity().ordinal() <= 1) // fatal, error
			.isEmpty();
		Bundle document = summary.resource(Bundle.class);
		Composition composition = (Composition) document.getEntryFirstRep().getResource();
		assertThat(composition.getMeta().getProfile()).extracting((profile) -> profile.getValue())
			.as(story)
			.containsExactly(COMPOSITION_PROFILE);
		assertThat(unreferenced(document)).as(story).isEmpty();
		return document;
	}

	/**
	 * The summary's profiles catch a section without a code and a Composition without a
	 * custodian: the validation above is not vacuous.
	 */
	@Test
	void aSummaryWithoutSectionCodesOrCustodianIsNotConformant() {
		Bundle summary = this.ooh.get("/fhir/Patient/" + this.margaret + "/$epaccs-summary").resource(Bundle.class);
		Composition composition = (Composition) summary.getEntryFirstRep().getResource();
		composition.getSectionFirstRep().setCode(null);
		composition.setCustodian(null);

		Response validated = this.gp.post("/fhir/Bundle/$validate?profile=" + DOCUMENT_PROFILE, FhirHttp.json(summary));

		assertThat(validated.outcome().getIssue()).filteredOn((issue) -> issue.getSeverity().ordinal() <= 1)
			.extracting((issue) -> issue.getExpression().toString() + " " + issue.getDiagnostics())
			.as(validated.body())
			.anySatisfy((issue) -> assertThat(issue).contains("section").contains("code"))
			.anySatisfy((issue) -> assertThat(issue).contains("custodian"));
	}

	/**
	 * A Synthea-shaped person: current medicines that have nothing to do with the end of
	 * life (a salbutamol inhaler, an adrenaline auto-injector, text only: no code is
	 * cited for them here) besides the just-in-case medicines, one linked from the
	 * medicine to the box, one whose drug (a Medication) the box lists; and a stopped
	 * antibiotic whose prescriber nothing else names.
	 */
	@Test
	void onlyMedicinesRecordedAsAnticipatoryAreShownAsAnticipatory() {
		String nhsNumber = TestNhsNumbers.unused();
		String suffix = "-m" + System.nanoTime();
		Response stored = this.gp.post("/fhir",
				"""
						{"resourceType": "Bundle", "type": "transaction", "entry": [
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000001", "resource": {"resourceType": "Patient",
						  "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "%1$s"}],
						  "name": [{"family": "Kuhlman", "given": ["Rosalind"]}], "birthDate": "1941-03-09"},
						  "request": {"method": "POST", "url": "Patient"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000002", "resource": {"resourceType": "Practitioner",
						  "name": [{"text": "Dr Palliative%2$s"}]}, "request": {"method": "POST", "url": "Practitioner"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000003", "resource": {"resourceType": "Practitioner",
						  "name": [{"text": "Dr Stopped%2$s"}]}, "request": {"method": "POST", "url": "Practitioner"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000004", "resource": {"resourceType": "Procedure",
						  "meta": {"profile": ["https://fhir.openepaccs.org/StructureDefinition/epaccs-anticipatory-medicines"]},
						  "status": "completed", "code": {"coding": [{"system": "http://snomed.info/sct",
						  "code": "376201000000102", "display": "Issue of palliative care anticipatory medication box"}],
						  "text": "Just-in-case box issued"},
						  "subject": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000001"},
						  "performedDateTime": "2026-11-02T11:00:00Z", "note": [{"text": "Box on top of the fridge"}],
						  "usedReference": [{"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000010"}]},
						  "request": {"method": "POST", "url": "Procedure"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000005", "resource": {"resourceType": "MedicationRequest",
						  "status": "active", "intent": "order",
						  "medicationCodeableConcept": {"text": "Midazolam 10mg/2ml solution for injection ampoules"},
						  "subject": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000001"},
						  "requester": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000002"},
						  "supportingInformation": [{"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000004"}]},
						  "request": {"method": "POST", "url": "MedicationRequest"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000006", "resource": {"resourceType": "MedicationRequest",
						  "status": "active", "intent": "order",
						  "medicationReference": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000010"},
						  "subject": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000001"}},
						  "request": {"method": "POST", "url": "MedicationRequest"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000007", "resource": {"resourceType": "MedicationRequest",
						  "status": "active", "intent": "order",
						  "medicationCodeableConcept": {"text": "Salbutamol 100micrograms/dose inhaler CFC free"},
						  "dosageInstruction": [{"text": "Two puffs when required"}],
						  "subject": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000001"}},
						  "request": {"method": "POST", "url": "MedicationRequest"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000008", "resource": {"resourceType": "MedicationRequest",
						  "status": "active", "intent": "order",
						  "medicationCodeableConcept": {"text": "Adrenaline 300micrograms/0.3ml auto-injector"},
						  "subject": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000001"}},
						  "request": {"method": "POST", "url": "MedicationRequest"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000009", "resource": {"resourceType": "MedicationRequest",
						  "status": "stopped", "intent": "order",
						  "medicationCodeableConcept": {"text": "Amoxicillin 500mg capsules"},
						  "subject": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000001"},
						  "requester": {"reference": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000003"}},
						  "request": {"method": "POST", "url": "MedicationRequest"}},
						 {"fullUrl": "urn:uuid:7f0c1d2e-0000-4000-8000-000000000010", "resource": {"resourceType": "Medication",
						  "code": {"text": "Morphine sulfate 10mg/1ml solution for injection ampoules"}},
						  "request": {"method": "POST", "url": "Medication"}}
						]}"""
					.formatted(nhsNumber, suffix));
		assertThat(stored.status()).as(stored.body()).isEqualTo(200);
		List<String> created = stored.resource(Bundle.class)
			.getEntry()
			.stream()
			.map((entry) -> new IdType(entry.getResponse().getLocation()).toUnqualifiedVersionless().getValue())
			.toList();
		String patient = created.get(0);
		String palliativeDoctor = created.get(1);
		String stoppedDoctor = created.get(2);
		String box = created.get(3);
		String midazolam = created.get(4);
		String morphine = created.get(5);
		String salbutamol = created.get(6);
		String adrenaline = created.get(7);
		String amoxicillin = created.get(8);
		String morphineAmpoules = created.get(9);

		Response response = this.ooh.get(byNumber(nhsNumber));

		Bundle summary = assertConformant(response, "Synthea-shaped person");
		Composition composition = (Composition) summary.getEntryFirstRep().getResource();
		assertThat(entries(composition, "Anticipatory medicines")).containsExactly(box, midazolam, morphine);
		assertThat(entries(composition, "Other current medicines")).as("in the order of their names")
			.containsExactly(adrenaline, salbutamol);
		assertThat(section(composition, "Anticipatory medicines")).contains("Box on top of the fridge")
			.contains("Midazolam 10mg/2ml")
			.contains("Morphine sulfate 10mg/1ml")
			.doesNotContain("Salbutamol")
			.doesNotContain("Adrenaline");
		assertThat(section(composition, "Other current medicines"))
			.contains("not recorded as anticipatory (just in case) medicines")
			.contains("Salbutamol 100micrograms/dose inhaler CFC free; Two puffs when required")
			.contains("Adrenaline 300micrograms/0.3ml auto-injector")
			.doesNotContain("Amoxicillin");
		assertThat(composition.getSection()).filteredOn((section) -> section.getTitle().contains("medicines"))
			.extracting((section) -> section.getCode().getCodingFirstRep().getSystem() + "|"
					+ section.getCode().getCodingFirstRep().getCode() + "|"
					+ section.getCode().getCodingFirstRep().getDisplay())
			.containsExactly("http://loinc.org|10160-0|History of Medication use Narrative",
					"http://loinc.org|10160-0|History of Medication use Narrative");
		assertThat(section(composition, "CPR decision")).contains("No CPR decision recorded.");
		assertThat(composition.getSection()).filteredOn((section) -> section.getTitle().startsWith("CPR decision"))
			.extracting((section) -> section.getCode().getCodingFirstRep().getCode() + " "
					+ section.getCode().getCodingFirstRep().getDisplay())
			.containsExactly("42348-3 Advance healthcare directives");
		// the stored resources in the document: nothing stopped, no one only the stopped
		// medicine names; the author and custodian are not stored, so urn:uuid
		assertThat(summary.getEntry())
			.filteredOn((entry) -> !entry.getFullUrl().startsWith("urn:uuid:")
					&& !(entry.getResource() instanceof Composition))
			.extracting(
					(entry) -> entry.getResource().fhirType() + "/" + entry.getResource().getIdElement().getIdPart())
			.containsExactlyInAnyOrder(patient, box, midazolam, morphine, salbutamol, adrenaline, palliativeDoctor,
					morphineAmpoules)
			.doesNotContain(stoppedDoctor, amoxicillin);
		assertThat(summary.getEntry()).filteredOn((entry) -> entry.getFullUrl().startsWith("urn:uuid:"))
			.extracting((entry) -> entry.getResource().fhirType())
			.containsExactlyInAnyOrder("Device", "Organization");
		assertThat(composition.getAuthorFirstRep().getReference()).startsWith("urn:uuid:");
		assertThat(composition.getCustodian().getReference()).startsWith("urn:uuid:");
	}

	/**
	 * The entries of a document that neither the Composition (subject, author, custodian,
	 * section entries) nor an entry so reached references, by full URL.
	 */
	private static List<String> unreferenced(Bundle document) {
		Map<String, Resource> byFullUrl = new LinkedHashMap<>();
		document.getEntry().forEach((entry) -> byFullUrl.put(entry.getFullUrl(), entry.getResource()));
		String composition = document.getEntryFirstRep().getFullUrl();
		String base = composition.substring(0, composition.indexOf("/Composition/"));
		Set<String> reached = new LinkedHashSet<>(Set.of(composition));
		Deque<Resource> toFollow = new ArrayDeque<>(List.of(document.getEntryFirstRep().getResource()));
		FhirTerser terser = FhirContext.forR4Cached().newTerser();
		while (!toFollow.isEmpty()) {
			for (Reference reference : terser.getAllPopulatedChildElementsOfType(toFollow.pop(), Reference.class)) {
				String target = reference.getReference();
				if (target == null || target.startsWith("#")) {
					continue;
				}
				String fullUrl = (target.startsWith("urn:") || target.startsWith("http")) ? target
						: base + "/" + target;
				if (byFullUrl.containsKey(fullUrl) && reached.add(fullUrl)) {
					toFollow.add(byFullUrl.get(fullUrl));
				}
			}
		}
		List<String> unreferenced = new ArrayList<>(byFullUrl.keySet());
		unreferenced.removeAll(reached);
		return unreferenced;
	}

	/**
	 * Scenario 3: a person on the register who refused sharing beyond their own practice
	 * (Y99901, the gp-system caller's).
	 */
	private String refusedSharing() {
		Organization surgery = new Organization().setName("Summary Story Surgery");
		surgery.addIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y99901");
		String organisation = "Organization/"
				+ this.gp.post("/fhir/Organization", FhirHttp.json(surgery)).resource(Organization.class).getIdPart();
		String nhsNumber = TestNhsNumbers.unused();
		Patient person = new Patient().addName(new HumanName().setFamily("Okafor"));
		person.addIdentifier().setSystem(NHS).setValue(nhsNumber);
		String patient = "Patient/"
				+ this.gp.post("/fhir/Patient", FhirHttp.json(person)).resource(Patient.class).getIdPart();
		Response refusal = this.gp.post("/fhir/Consent", refusalOf(patient, organisation));
		assertThat(refusal.status()).as(refusal.body()).isEqualTo(201);
		Flag decision = Examples.cprDecisionFor(patient);
		Response stored = this.gp.post("/fhir/Flag", FhirHttp.json(decision));
		assertThat(stored.status()).as(stored.body()).isEqualTo(201);
		return nhsNumber;
	}

	private static String refusalOf(String patient, String organisation) {
		return "{\"resourceType\":\"Consent\",\"status\":\"active\","
				+ "\"scope\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":"
				+ "\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"" + patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"" + patient + "\"}],\"organization\":[{\"reference\":\"" + organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],"
				+ "\"provision\":{\"type\":\"deny\"}}";
	}

	@Test
	void aChildsSummaryShowsTheirPlanAndTheParentsWithResponsibility() {
		Response response = this.ooh
			.get("/fhir/Patient/$epaccs-summary?identifier=" + NHS + "%7C" + this.leosNhsNumber);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		Composition composition = (Composition) response.resource(Bundle.class).getEntryFirstRep().getResource();
		assertThat(composition.getText().getDivAsString()).contains("born 2 May 2020");
		assertThat(section(composition, "CPR decision")).contains("Not for CPR");
		assertThat(section(composition, "Advance care plan")).contains("Keep going to school");
		assertThat(section(composition, "Preferred places")).contains("Rainbow Children's Hospice");
		assertThat(section(composition, "Carers")).contains("Amira")
			.contains("Has parental responsibility")
			.contains("07700 900003");
		assertThat(section(composition, "Anticipatory medicines")).contains("No anticipatory medicines recorded.");
	}

	@Test
	void aChangeShowsAtOnceAndOnlyTheCurrentVersion() {
		String patient = storedPatient("Current");
		Flag decision = (Flag) Examples.parse(Path.of("profiles", "examples", "Flag-margaret-cpr.json"));
		decision.setId((String) null);
		decision.getExtension().clear(); // the detail is in Margaret's ReSPECT plan
		decision.getCode().getCodingFirstRep().setCode("450475007").setDisplay("For cardiopulmonary resuscitation");
		decision.getCode().setText("For CPR");
		decision.getSubject().setReference(patient).setDisplay(null);
		String flag = "Flag/"
				+ this.gp.post("/fhir/Flag", FhirHttp.json(decision)).resource(Flag.class).getIdElement().getIdPart();
		assertThat(section(summaryOf(patient), "CPR decision")).contains("CPR decision: For CPR");

		decision.setId(flag);
		decision.getCode().getCodingFirstRep().setCode("450476008").setDisplay("Not for cardiopulmonary resuscitation");
		decision.getCode().setText("Not for CPR");
		assertThat(this.ooh.put("/fhir/" + flag, FhirHttp.json(decision)).status()).isEqualTo(200);

		Composition composition = summaryOf(patient);
		assertThat(section(composition, "CPR decision")).contains("CPR decision: Not for CPR")
			.doesNotContain("For CPR,")
			.contains("by ooh-clinician, ooh-clinician");
		assertThat(section(composition, "Preferred places")).contains("No preferred place of care or death recorded.");
		assertThat(composition.getSectionFirstRep().getText().getDivAsString())
			.contains("Not on the palliative care register.");
	}

	@Test
	void aRevokedOrCompletedAdvanceCarePlanIsLeftOut() {
		String plan = "/fhir/CarePlan/" + this.margaret + "-acp";
		assertThat(section(summaryOf("Patient/" + this.margaret), "Advance care plan"))
			.contains("What matters: Stay at home with her cat");

		for (CarePlan.CarePlanStatus ended : List.of(CarePlan.CarePlanStatus.REVOKED,
				CarePlan.CarePlanStatus.COMPLETED)) {
			CarePlan stored = this.gp.get(plan).resource(CarePlan.class);
			stored.setStatus(ended);
			Response updated = this.gp.put(plan, FhirHttp.json(stored));
			assertThat(updated.status()).as(updated.body()).isEqualTo(200);

			Composition composition = summaryOf("Patient/" + this.margaret);
			assertThat(section(composition, "Advance care plan")).as(ended.toCode())
				.doesNotContain("Stay at home with her cat");
			assertThat(entries(composition, "Advance care plan")).as(ended.toCode())
				.doesNotContain("CarePlan/" + this.margaret + "-acp");
		}
	}

	@Test
	void aChangedAdviceLineNumberShowsInTheNextSummary() {
		String patient = storedPatient("Advice");
		Organization line = new Organization().setName("Northfield Hospice at Home " + System.nanoTime());
		line.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("01632 960100");
		String lineId = this.gp.post("/fhir/Organization", FhirHttp.json(line))
			.resource(Organization.class)
			.getIdElement()
			.getIdPart();
		CareTeam team = (CareTeam) Examples.parse(Path.of("profiles", "examples", "CareTeam-margaret-care-team.json"));
		team.setId((String) null);
		team.getSubject().setReference(patient).setDisplay(null);
		team.getParticipant().subList(1, team.getParticipant().size()).clear();
		team.getParticipantFirstRep().getMember().setReference("Organization/" + lineId).setDisplay(null);
		team.setText(null);
		Response stored = this.gp.post("/fhir/CareTeam", FhirHttp.json(team));
		assertThat(stored.status()).as(stored.body()).isEqualTo(201);
		assertThat(section(summaryOf(patient), "Care team")).contains("01632 960100");

		line.setId(lineId);
		line.getTelecomFirstRep().setValue("01632 960199");
		assertThat(this.gp.put("/fhir/Organization/" + lineId, FhirHttp.json(line)).status()).isEqualTo(200);

		assertThat(section(summaryOf(patient), "Care team")).contains("01632 960199").doesNotContain("01632 960100");
	}

	@Test
	void unknownAndInvalidNhsNumbersAreToldApart() {
		Response unknown = this.ooh.get("/fhir/Patient/$epaccs-summary?identifier=" + NHS + "%7C9990000999");
		Response invalid = this.ooh.get("/fhir/Patient/$epaccs-summary?identifier=" + NHS + "%7C9990000011");
		Response notAnNhsNumber = this.ooh.get("/fhir/Patient/$epaccs-summary?identifier=urn:other%7C12");
		Response unknownId = this.ooh.get("/fhir/Patient/no-such-person/$epaccs-summary");

		assertThat(NhsNumber.problem("9990000999")).isNull();
		assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
		assertThat(unknown.diagnostics()).contains("No person with this NHS number").doesNotContain("9990000999");
		assertThat(invalid.status()).as(invalid.body()).isEqualTo(400);
		assertThat(invalid.diagnostics()).contains("check digit");
		assertThat(notAnNhsNumber.status()).isEqualTo(400);
		assertThat(notAnNhsNumber.diagnostics()).contains(NHS);
		assertThat(unknownId.status()).isEqualTo(404);
	}

	/**
	 * The NHS number is looked up in HAPI's token index directly: a corrected number, a
	 * second record with the same number (stored before the server kept NHS numbers
	 * unique) and a deleted one must show as a search would.
	 */
	@Test
	void anNhsNumberIsFoundAsLastWrittenAndOnTwoRecordsIsNotGuessedBetween() {
		String mistyped = TestNhsNumbers.unused();
		String number = TestNhsNumbers.unused();
		String patient = this.gp.post("/fhir/Patient", FhirHttp.json(withNhsNumber(new Patient(), mistyped)))
			.resource(Patient.class)
			.getIdPart();
		Patient corrected = withNhsNumber(new Patient(), number);
		corrected.setId(patient);
		assertThat(this.gp.put("/fhir/Patient/" + patient, FhirHttp.json(corrected)).status()).isEqualTo(200);

		assertThat(this.ooh.get(byNumber(mistyped)).status()).isEqualTo(404);
		Response found = this.ooh.get(byNumber(number));
		assertThat(found.status()).as(found.body()).isEqualTo(200);
		assertThat(found.body()).contains("Patient/" + patient);

		assertThat(this.gp.post("/fhir/Patient", FhirHttp.json(withNhsNumber(new Patient(), number))).status())
			.as("a second record with a stored number is refused")
			.isEqualTo(409);
		// two records of one number can still be there from before the server kept the
		// rule: as if the first had been stored then
		this.jdbc.update("DELETE FROM EPACCS_NHS_NUMBER WHERE NHS_NUMBER = ?", number);
		String second = this.gp.post("/fhir/Patient", FhirHttp.json(withNhsNumber(new Patient(), number)))
			.resource(Patient.class)
			.getIdPart();
		Response onTwo = this.ooh.get(byNumber(number));
		assertThat(onTwo.status()).as(onTwo.body()).isEqualTo(412);
		assertThat(onTwo.diagnostics()).contains("more than one record");

		assertThat(this.gp.send("DELETE", "/fhir/Patient/" + second, null).status()).isIn(200, 204);
		assertThat(this.ooh.get(byNumber(number)).status()).isEqualTo(200);
	}

	private static Patient withNhsNumber(Patient patient, String number) {
		patient.addIdentifier().setSystem(NHS).setValue(number);
		patient.addName(new HumanName().setFamily("Numbered"));
		return patient;
	}

	private static String byNumber(String number) {
		return "/fhir/Patient/$epaccs-summary?identifier=" + NHS + "%7C" + number;
	}

	@Test
	void aDeletedRecordIsGoneNotUnknown() {
		String patient = storedPatient("Deleted");
		assertThat(this.gp.send("DELETE", "/fhir/" + patient, null).status()).isIn(200, 204);

		Response summary = this.ooh.get("/fhir/" + patient + "/$epaccs-summary");

		assertThat(summary.status()).as(summary.body()).isEqualTo(410);
	}

	@Test
	void aPersonWhoRefusedToShareIsHiddenUnlessTheGlassIsBroken() {
		Organization surgery = new Organization().setName("Summary Refusal Surgery");
		surgery.addIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y99901");
		String organisation = "Organization/"
				+ this.gp.post("/fhir/Organization", FhirHttp.json(surgery)).resource(Organization.class).getIdPart();
		String nhsNumber = TestNhsNumbers.unused();
		Patient person = new Patient().addName(new HumanName().setFamily("Refused"));
		person.addIdentifier().setSystem(NHS).setValue(nhsNumber);
		String patient = "Patient/"
				+ this.gp.post("/fhir/Patient", FhirHttp.json(person)).resource(Patient.class).getIdPart();
		Response refusal = this.gp.post("/fhir/Consent", "{\"resourceType\":\"Consent\",\"status\":\"active\","
				+ "\"scope\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":"
				+ "\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"" + patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"" + patient + "\"}],\"organization\":[{\"reference\":\"" + organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}");
		assertThat(refusal.status()).as(refusal.body()).isEqualTo(201);
		String byNumber = "/fhir/Patient/$epaccs-summary?identifier=" + NHS + "%7C" + nhsNumber;

		assertThat(this.ooh.get(byNumber).status()).isEqualTo(403);
		assertThat(this.ooh.get(byNumber).diagnostics()).contains("X-Break-Glass");
		assertThat(this.ooh.get("/fhir/" + patient + "/$epaccs-summary").status()).isEqualTo(403);
		assertThat(FhirHttp.as(this.port, "spoc-hub").get(byNumber).status()).isEqualTo(404);
		Response brokenGlass = this.ooh.get(byNumber, "X-Break-Glass", "unconscious at home, plan needed");
		assertThat(brokenGlass.status()).as(brokenGlass.body()).isEqualTo(200);
		assertThat(brokenGlass.header("X-Break-Glass-Used")).isEqualTo("true");
		assertThat(section((Composition) brokenGlass.resource(Bundle.class).getEntryFirstRep().getResource(),
				"Advance decision"))
			.contains("Consent to share this record: refused");
		// the organisation that recorded the refusal still sees the plan
		assertThat(this.gp.get(byNumber).status()).isEqualTo(200);
	}

	@Test
	void analystsGetNoPlans() {
		Response response = FhirHttp.as(this.port, "icb-analyst")
			.get("/fhir/Patient/" + this.margaret + "/$epaccs-summary");

		assertThat(response.status()).as(response.body()).isEqualTo(403);
	}

	private String storedPatient(String family) {
		return "Patient/"
				+ this.gp.post("/fhir/Patient", FhirHttp.json(new Patient().addName(new HumanName().setFamily(family))))
					.resource(Patient.class)
					.getIdPart();
	}

	private Composition summaryOf(String patient) {
		Response response = this.ooh.get("/fhir/" + patient + "/$epaccs-summary");
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return (Composition) response.resource(Bundle.class).getEntryFirstRep().getResource();
	}

	private static String section(Composition composition, String titleStart) {
		return composition.getSection()
			.stream()
			.filter((section) -> section.getTitle().startsWith(titleStart))
			.findFirst()
			.orElseThrow()
			.getText()
			.getDivAsString();
	}

	private static List<String> entries(Composition composition, String titleStart) {
		return composition.getSection()
			.stream()
			.filter((section) -> section.getTitle().startsWith(titleStart))
			.findFirst()
			.orElseThrow()
			.getEntry()
			.stream()
			.map((reference) -> reference.getReference())
			.toList();
	}

}
