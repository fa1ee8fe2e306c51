package org.openepaccs.summary;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;

import static org.openepaccs.common.Systems.LOINC;

/**
 * What kind of section each part of the summary is, as LOINC section codes the
 * International Patient Summary uses them (HL7 IPS IG {@code hl7.fhir.uv.ips} 2.0.0: the
 * section slices of {@code Composition-uv-ips}, displays as in its example
 * {@code Bundle-bundle-ips-all-sections}), so that a viewer that knows IPS sections files
 * ours where a clinician looks for them. The same codes are the value set
 * {@code epaccs-summary-section} of our package; docs/clinical-safety-summary.md says why
 * each section takes its code.
 */
enum SectionCode {

	ALERTS("104605-1", "Alert"),

	ADVANCE_DIRECTIVES("42348-3", "Advance healthcare directives"),

	PATIENT_STORY("81338-6", "Patient Goals, preferences, and priorities for care experience"),

	PLAN_OF_CARE("18776-5", "Plan of care note"),

	MEDICATIONS("10160-0", "History of Medication use Narrative"),

	PROBLEMS("11450-4", "Problem list - Reported"),

	FUNCTIONAL_STATUS("47420-5", "Functional status assessment note");

	private final String code;

	private final String display;

	SectionCode(String code, String display) {
		this.code = code;
		this.display = display;
	}

	CodeableConcept concept() {
		return new CodeableConcept(new Coding(LOINC, this.code, this.display));
	}

}
