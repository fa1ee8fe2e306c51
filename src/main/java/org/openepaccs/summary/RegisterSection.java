package org.openepaccs.summary;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.records.RecordMeanings;

import static org.openepaccs.summary.Wording.appendValue;
import static org.openepaccs.summary.Wording.text;

/**
 * Palliative care register and key worker: whether the person has died and where, the
 * register entry (the current one, else the latest), its key worker and diagnoses, and
 * the register alerts.
 */
final class RegisterSection {

	private static final String END_REASON = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-register-end-reason";

	private static final String IDENTIFICATION = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-register-identification";

	private RegisterSection() {
	}

	static Section of(PlanRecord record, Patient patient, Names names, SummaryCodes codes) {
		Section section = new Section("Palliative care register and key worker", SectionCode.ALERTS);
		List<EpisodeOfCare> entries = record.all(EpisodeOfCare.class)
			.stream()
			.filter(RecordMeanings::isRegisterEntry)
			.sorted(Comparator
				.comparing((EpisodeOfCare entry) -> entry.getStatus() == EpisodeOfCare.EpisodeOfCareStatus.ACTIVE)
				.thenComparing((entry) -> entry.getPeriod().getStart(),
						Comparator.nullsFirst(Comparator.naturalOrder()))
				.reversed())
			.toList();
		if (patient.hasDeceasedDateTimeType()) {
			section.text().item("Died " + SectionText.when(patient.getDeceasedDateTimeType()), null, true);
		}
		else if (patient.hasDeceasedBooleanType() && patient.getDeceasedBooleanType().booleanValue()) {
			section.text().item("Has died", null, true);
		}
		Observations.current(record.all(Observation.class), codes.actualPlaceOfDeath()).forEach((death) -> {
			StringBuilder line = new StringBuilder("Place of death: ").append(text(death.getCode()));
			appendValue(line, death.getValue(), " - ");
			death.getComponent()
				.stream()
				.filter(Observation.ObservationComponentComponent::hasValueBooleanType)
				.findFirst()
				.ifPresent((achieved) -> line.append("; first-choice preferred place of death achieved: ")
					.append(achieved.getValueBooleanType().booleanValue() ? "yes" : "no"));
			death.getNote().forEach((note) -> line.append("; ").append(note.getText()));
			section.add(death, line.toString(), names, record, false);
		});
		if (entries.isEmpty()) {
			section.text().paragraph("Not on the palliative care register.");
		}
		else {
			EpisodeOfCare entry = entries.get(0);
			boolean active = entry.getStatus() == EpisodeOfCare.EpisodeOfCareStatus.ACTIVE;
			StringBuilder line = new StringBuilder(
					active ? "On the palliative care register since " : "Not on the register now: was on it from ");
			line.append(SectionText.when(entry.getPeriod().getStartElement()));
			if (!active) {
				line.append(" to ").append(Objects.toString(SectionText.when(entry.getPeriod().getEndElement()), "?"));
				Extension reason = entry.getExtensionByUrl(END_REASON);
				if (reason != null && reason.getValue() instanceof CodeableConcept concept) {
					line.append(" (").append(text(concept)).append(")");
				}
			}
			if (entry.hasManagingOrganization()) {
				line.append(", practice: ").append(names.of(entry.getManagingOrganization()));
			}
			Extension identified = entry.getExtensionByUrl(IDENTIFICATION);
			if (identified != null && identified.getValue() instanceof CodeableConcept how) {
				line.append("; identified by: ").append(text(how));
			}
			section.add(entry, line.toString(), names, record, active);
			if (entry.hasCareManager()) {
				section.text().paragraph("Key worker: " + names.withContacts(entry.getCareManager()));
			}
			entry.getDiagnosis()
				.forEach((diagnosis) -> section.text().paragraph("Diagnosis: " + names.of(diagnosis.getCondition())));
		}
		record.all(Flag.class)
			.stream()
			.filter((flag) -> flag.getStatus() == Flag.FlagStatus.ACTIVE
					&& SummaryCodes.in(flag.getCode(), codes.registerFlag()))
			.forEach((flag) -> section.add(flag, "Alert: " + text(flag.getCode()), names, record, false));
		return section;
	}

}
