package org.openepaccs.summary;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.openepaccs.audit.RecordChanges;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.testsupport.Examples;

import static org.assertj.core.api.Assertions.assertThat;

/** The summary document from records in memory: no server, no database. */
class PlanSummaryBuilderTest {

	private static final PlanSummaryBuilder builder = new PlanSummaryBuilder(
			SummaryCodes.of(ConformancePackage.fromClasspath(FhirContext.forR4Cached())), SummaryProperties.defaults());

	private static final Instant NOW = Instant.parse("2026-11-30T03:00:00Z");

	@Test
	void aPersonWithNothingRecordedGetsEverySectionSayingSo() {
		Bundle summary = builder.build(new PlanRecord(List.of(margaret()), Map.of(), Map.of()), NOW,
				"https://epaccs.example/fhir");

		Composition composition = composition(summary);
		assertThat(composition.getSection()).hasSize(12)
			.allSatisfy((section) -> assertThat(section.getEmptyReason().getCodingFirstRep().getCode())
				.isEqualTo("nilknown"));
		assertThat(text(composition, "CPR decision")).contains("No CPR decision recorded.");
		assertThat(text(composition, "Palliative care register")).contains("Not on the palliative care register.");
		// the Composition, the person, the server as author and the operator as custodian
		assertThat(summary.getEntry()).hasSize(4);
		assertThat(summary.getEntry().get(1).getFullUrl()).isEqualTo("https://epaccs.example/fhir/Patient/margaret");
		assertThat(summary.getEntry().get(2).getResource()).isInstanceOf(Device.class);
		assertThat(summary.getEntry().get(3).getResource()).isInstanceOf(Organization.class);
		assertThat(composition.getAuthorFirstRep().getReference()).isEqualTo(summary.getEntry().get(2).getFullUrl())
			.startsWith("urn:uuid:");
		assertThat(composition.getCustodian().getReference()).isEqualTo(summary.getEntry().get(3).getFullUrl());
		assertThat(((Organization) summary.getEntry().get(3).getResource()).getName()).isEqualTo("Open EPaCCS service");
		assertThat(composition.getText().getDivAsString()).contains("30 Nov 2026 03:00");
	}

	@Test
	void preferencesAreInOrderOfChoiceAndWithdrawnOnesAreLeftOut() {
		Observation second = (Observation) example("Observation-margaret-ppd-2.json");
		Observation first = (Observation) example("Observation-margaret-ppd-1.json");
		Observation withdrawn = first.copy();
		withdrawn.setId("withdrawn");
		withdrawn.setStatus(Observation.ObservationStatus.ENTEREDINERROR);
		withdrawn.setValue(new StringType("Withdrawn place"));

		Composition composition = composition(builder
			.build(new PlanRecord(List.of(margaret(), second, withdrawn, first), Map.of(), Map.of()), NOW, "b"));

		String places = text(composition, "Preferred places");
		assertThat(places.indexOf("1st choice")).isLessThan(places.indexOf("2nd choice")).isNotNegative();
		assertThat(places).doesNotContain("Withdrawn place");
	}

	@Test
	void aNarrativeCannotBeBrokenByWhatWasTyped() {
		Observation first = (Observation) example("Observation-margaret-ppd-1.json");
		first.setValue(new StringType("<script>alert(1)</script> & \"home\""));

		String places = text(
				composition(builder.build(new PlanRecord(List.of(margaret(), first), Map.of(), Map.of()), NOW, "b")),
				"Preferred places");

		assertThat(places).contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;").doesNotContain("<script>");
	}

	@Test
	void aFinishedEntryAndADeathAreShownAsSuch() {
		EpisodeOfCare entry = (EpisodeOfCare) example("EpisodeOfCare-margaret-register.json");
		entry.setStatus(EpisodeOfCare.EpisodeOfCareStatus.FINISHED);
		entry.getPeriod().setEndElement(new DateTimeType("2026-06-03"));
		Patient patient = margaret();
		patient.setDeceased(new DateTimeType("2026-06-03T04:15:00+01:00"));

		String register = text(
				composition(builder.build(new PlanRecord(List.of(patient, entry), Map.of(), Map.of()), NOW, "b")),
				"Palliative care register");

		assertThat(register).contains("<b>Died 3 Jun 2026 04:15</b>")
			.contains("Not on the register now: was on it from 4 Dec 2025 to 3 Jun 2026");
	}

	@Test
	void eachItemSaysWhoLastChangedIt() {
		Resource flag = example("Flag-margaret-cpr.json");
		RecordChanges.Change change = new RecordChanges.Change("Flag/margaret-cpr", "3",
				Instant.parse("2026-11-29T22:30:00Z"), "update", "Patient/margaret", "dr-khan", null, "ooh-clinician",
				"Y99906", "r1");

		String resuscitation = text(composition(builder
			.build(new PlanRecord(List.of(margaret(), flag), Map.of(), Map.of("Flag/margaret-cpr", change)), NOW, "b")),
				"CPR decision");

		assertThat(resuscitation).contains("changed 29 Nov 2026 22:30 by dr-khan, ooh-clinician, organisation Y99906");
	}

	@Test
	void everySectionIsCodedAsTheInternationalPatientSummaryCodesIt() {
		Composition composition = composition(
				builder.build(new PlanRecord(List.of(margaret()), Map.of(), Map.of()), NOW, "b"));

		assertThat(composition.getSection()).allSatisfy((section) -> {
			assertThat(section.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://loinc.org");
			assertThat(section.getCode().getCodingFirstRep().getDisplay()).isNotBlank();
		});
		assertThat(composition.getSection())
			.extracting((section) -> section.getTitle() + " = " + section.getCode().getCodingFirstRep().getCode())
			.containsExactly("Palliative care register and key worker = 104605-1",
					"CPR decision and ReSPECT recommendations = 42348-3",
					"Advance decision to refuse treatment, lasting power of attorney and consent = 42348-3",
					"Preferred places of care and death = 81338-6",
					"Advance care plan and what matters to the person = 18776-5",
					"Anticipatory medicines and where they are kept = 10160-0",
					"Other current medicines (not anticipatory medicines) = 10160-0",
					"Prognosis and awareness = 11450-4", "Functional status = 47420-5",
					"Care team and 24/7 contacts = 18776-5", "Carers and next of kin = 18776-5", "Documents = 42348-3");
		assertThat(section(composition, "Anticipatory").getCode().getCodingFirstRep().getDisplay())
			.isEqualTo("History of Medication use Narrative");
		assertThat(section(composition, "CPR decision").getCode().getCodingFirstRep().getDisplay())
			.isEqualTo("Advance healthcare directives");
	}

	/**
	 * A Synthea-shaped person: an inhaler and an adrenaline auto-injector besides the
	 * just-in-case medicines, one linked from the medicine, one from the box.
	 */
	@Test
	void onlyMedicinesRecordedAsAnticipatoryAreListedAsSuch() {
		Procedure box = (Procedure) example("Procedure-margaret-anticipatory-medicines.json");
		box.addUsedReference(new Reference("Medication/morphine-ampoules"));
		Medication morphine = new Medication()
			.setCode(new CodeableConcept().setText("Morphine sulfate 10mg/1ml solution for injection ampoules"));
		morphine.setId("morphine-ampoules");
		List<Resource> record = List.of(margaret(), box,
				medicine("midazolam", "Midazolam 10mg/2ml solution for injection", "Practitioner/dr-asha-patel")
					.addSupportingInformation(new Reference("Procedure/margaret-anticipatory-medicines")),
				medicine("morphine", null, null).setMedication(new Reference("Medication/morphine-ampoules")),
				medicine("salbutamol", "Salbutamol 100micrograms/dose inhaler", null),
				medicine("adrenaline", "Adrenaline 300micrograms/0.3ml auto-injector", null),
				medicine("amoxicillin", "Amoxicillin 500mg capsules", "Practitioner/dr-omar-khan")
					.setStatus(MedicationRequest.MedicationRequestStatus.STOPPED));
		Map<String, Resource> directory = Map.of("Medication/morphine-ampoules", morphine, "Practitioner/dr-asha-patel",
				example("Practitioner-dr-asha-patel.json"), "Practitioner/dr-omar-khan",
				example("Practitioner-dr-omar-khan.json"), "PractitionerRole/nurse-tom-jones-community",
				example("PractitionerRole-nurse-tom-jones-community.json"), "Practitioner/nurse-tom-jones",
				example("Practitioner-nurse-tom-jones.json"), "Organization/northfield-community-nursing",
				example("Organization-northfield-community-nursing.json"), "Organization/st-anne-hospice",
				example("Organization-st-anne-hospice.json"));

		Bundle summary = builder.build(new PlanRecord(record, directory, Map.of()), NOW, "https://epaccs.example/fhir");

		Composition composition = composition(summary);
		assertThat(references(section(composition, "Anticipatory"))).containsExactly(
				"Procedure/margaret-anticipatory-medicines", "MedicationRequest/midazolam",
				"MedicationRequest/morphine");
		assertThat(references(section(composition, "Other current medicines"))).as("in the order of their names")
			.containsExactly("MedicationRequest/adrenaline", "MedicationRequest/salbutamol");
		assertThat(text(composition, "Anticipatory")).contains("Midazolam")
			.contains("Morphine sulfate 10mg/1ml solution for injection ampoules")
			.doesNotContain("Salbutamol");
		assertThat(text(composition, "Other current medicines")).contains("not recorded as anticipatory")
			.contains("Salbutamol 100micrograms/dose inhaler")
			.contains("Adrenaline 300micrograms/0.3ml auto-injector")
			.doesNotContain("Amoxicillin");
		List<String> inDocument = summary.getEntry()
			.stream()
			.skip(1)
			.map((entry) -> entry.getResource().fhirType() + "/" + entry.getResource().getIdElement().getIdPart())
			.toList();
		// the stopped medicine's prescriber and an organisation nothing shown names are
		// left
		// out; the box's nurse comes with the role's practitioner and team
		assertThat(inDocument)
			.contains("Medication/morphine-ampoules", "Practitioner/dr-asha-patel",
					"PractitionerRole/nurse-tom-jones-community", "Practitioner/nurse-tom-jones",
					"Organization/northfield-community-nursing")
			.doesNotContain("Practitioner/dr-omar-khan", "MedicationRequest/amoxicillin",
					"Organization/st-anne-hospice");
	}

	private static MedicationRequest medicine(String id, String drug, String prescriber) {
		MedicationRequest medicine = new MedicationRequest();
		medicine.setId(id);
		medicine.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
		medicine.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
		medicine.setMedication(new CodeableConcept().setText(drug));
		medicine.setSubject(new Reference("Patient/margaret"));
		if (prescriber != null) {
			medicine.setRequester(new Reference(prescriber));
		}
		return medicine;
	}

	private static List<String> references(Composition.SectionComponent section) {
		return section.getEntry().stream().map(Reference::getReference).toList();
	}

	private static Composition.SectionComponent section(Composition composition, String titleStart) {
		return composition.getSection()
			.stream()
			.filter((section) -> section.getTitle().startsWith(titleStart))
			.findFirst()
			.orElseThrow();
	}

	private static Patient margaret() {
		return (Patient) example("Patient-margaret.json");
	}

	private static Resource example(String file) {
		return (Resource) Examples.parse(Path.of("profiles", "examples", file));
	}

	private static Composition composition(Bundle summary) {
		assertThat(summary.getType()).isEqualTo(Bundle.BundleType.DOCUMENT);
		return (Composition) summary.getEntryFirstRep().getResource();
	}

	private static String text(Composition composition, String titleStart) {
		List<String> texts = new ArrayList<>();
		composition.getSection()
			.stream()
			.filter((section) -> section.getTitle().startsWith(titleStart))
			.forEach((section) -> texts.add(section.getText().getDivAsString()));
		assertThat(texts).hasSize(1);
		return texts.get(0);
	}

}
