package org.openepaccs.summary;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Which of a person's current medicines are anticipatory ("just in case") medicines, by
 * the rule of our profile {@code epaccs-anticipatory-medicines}: a MedicationRequest is
 * one when its {@code supportingInformation} references an anticipatory-medicines
 * Procedure of the record, or when its {@code medicationReference} is a Medication such a
 * Procedure names in {@code usedReference} (which R4 allows to reference a Medication,
 * not a MedicationRequest). Nothing else makes a medicine anticipatory: not its drug
 * (morphine is prescribed for other reasons too), not its being current. A drug listed
 * only as a Procedure's {@code usedCode} is shown with the Procedure; a MedicationRequest
 * with the same code is not thereby anticipatory. Every other current medicine is
 * "other", shown apart and labelled as not anticipatory, because an inhaler listed among
 * end-of-life medicines invites its use as one at 3 a.m.
 */
final class AnticipatoryMedicines {

	private AnticipatoryMedicines() {
	}

	/**
	 * @param boxes the record's anticipatory-medicines Procedures that stand
	 * @param current the record's current MedicationRequests
	 */
	static Split split(List<Procedure> boxes, List<MedicationRequest> current) {
		Set<String> boxKeys = new HashSet<>();
		Set<String> used = new HashSet<>();
		for (Procedure box : boxes) {
			boxKeys.add(key(box));
			box.getUsedReference().forEach((reference) -> used.add(key(reference)));
		}
		List<MedicationRequest> anticipatory = new ArrayList<>();
		List<MedicationRequest> other = new ArrayList<>();
		for (MedicationRequest medicine : current) {
			boolean supports = medicine.getSupportingInformation()
				.stream()
				.anyMatch((reference) -> boxKeys.contains(key(reference)));
			boolean inTheBox = medicine.hasMedicationReference()
					&& used.contains(key(medicine.getMedicationReference()));
			((supports || inTheBox) ? anticipatory : other).add(medicine);
		}
		return new Split(anticipatory, other);
	}

	/** {@code Type/id} of a reference, whatever its base or version. */
	private static String key(Reference reference) {
		if (reference.getReference() == null) {
			return "";
		}
		IdType id = new IdType(reference.getReference());
		return id.getResourceType() + "/" + id.getIdPart();
	}

	private static String key(Resource resource) {
		return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
	}

	/**
	 * @param anticipatory recorded as anticipatory medicines
	 * @param other every other current medicine
	 */
	record Split(List<MedicationRequest> anticipatory, List<MedicationRequest> other) {

	}

}
