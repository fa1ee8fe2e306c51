package org.openepaccs.summary;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Procedure;

import static org.openepaccs.summary.Wording.text;

/**
 * The two medicines sections, one for the anticipatory medicines and one for every other
 * current medicine, as {@link AnticipatoryMedicines} splits them: one class, because both
 * list and word a medicine the same way.
 */
final class MedicinesSections {

	private MedicinesSections() {
	}

	/**
	 * Anticipatory medicines and where they are kept: the anticipatory medicines
	 * Procedures that stand, in bold, and the medicines recorded as anticipatory.
	 */
	static Section anticipatory(PlanRecord record, Names names, List<Procedure> boxes,
			List<MedicationRequest> medicines) {
		Section section = new Section("Anticipatory medicines and where they are kept", SectionCode.MEDICATIONS);
		if (boxes.isEmpty() && medicines.isEmpty()) {
			section.text().paragraph("No anticipatory medicines recorded.");
		}
		for (Procedure box : boxes) {
			StringBuilder line = new StringBuilder(text(box.getCode()));
			if (box.hasPerformedDateTimeType()) {
				line.append(", ").append(SectionText.when(box.getPerformedDateTimeType()));
			}
			if (box.hasLocation()) {
				line.append("; kept at: ").append(names.of(box.getLocation()));
			}
			box.getNote().forEach((note) -> line.append("; ").append(note.getText()));
			if (box.hasUsedCode()) {
				line.append("; contains: ")
					.append(box.getUsedCode().stream().map(Wording::text).collect(Collectors.joining(", ")));
			}
			section.add(box, line.toString(), names, record, true);
		}
		byName(medicines, names)
			.forEach((medicine) -> section.add(medicine, medicine(medicine, names), names, record, false));
		return section;
	}

	/**
	 * Other current medicines, labelled as not anticipatory and as not a complete
	 * medication list.
	 */
	static Section other(PlanRecord record, Names names, List<MedicationRequest> medicines) {
		Section section = new Section("Other current medicines (not anticipatory medicines)", SectionCode.MEDICATIONS);
		if (medicines.isEmpty()) {
			section.text().paragraph("No other current medicines recorded.");
		}
		else {
			section.text()
				.paragraph("Current medicines that are not recorded as anticipatory (just in case) medicines."
						+ " This is not a complete medication list: check the GP record.");
		}
		byName(medicines, names)
			.forEach((medicine) -> section.add(medicine, medicine(medicine, names), names, record, false));
		return section;
	}

	/**
	 * Medicines in the order of their names, as read: the same list every time, whatever
	 * order the record's search found them in.
	 */
	private static List<MedicationRequest> byName(List<MedicationRequest> medicines, Names names) {
		return medicines.stream()
			.sorted(Comparator.comparing((MedicationRequest medicine) -> medicine(medicine, names),
					String.CASE_INSENSITIVE_ORDER))
			.toList();
	}

	private static String medicine(MedicationRequest medicine, Names names) {
		StringBuilder line = new StringBuilder(medicine.hasMedicationCodeableConcept()
				? text(medicine.getMedicationCodeableConcept()) : names.of(medicine.getMedicationReference()));
		medicine.getDosageInstruction()
			.stream()
			.filter((dosage) -> dosage.hasText())
			.forEach((dosage) -> line.append("; ").append(dosage.getText()));
		return line.toString();
	}

}
