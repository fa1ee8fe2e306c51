package org.openepaccs.summary;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
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
			SummaryCodes.of(ConformancePackage.fromClasspath(FhirContext.forR4Cached())));

	private static final Instant NOW = Instant.parse("2026-11-30T03:00:00Z");

	@Test
	void aPersonWithNothingRecordedGetsEverySectionSayingSo() {
		Bundle summary = builder.build(new PlanRecord(List.of(margaret()), Map.of(), Map.of()), NOW,
				"https://epaccs.example/fhir");

		Composition composition = composition(summary);
		assertThat(composition.getSection()).hasSize(11)
			.allSatisfy((section) -> assertThat(section.getEmptyReason().getCodingFirstRep().getCode())
				.isEqualTo("nilknown"));
		assertThat(text(composition, "CPR decision")).contains("No CPR decision recorded.");
		assertThat(text(composition, "Palliative care register")).contains("Not on the palliative care register.");
		assertThat(summary.getEntry()).hasSize(2);
		assertThat(summary.getEntry().get(1).getFullUrl()).isEqualTo("https://epaccs.example/fhir/Patient/margaret");
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
