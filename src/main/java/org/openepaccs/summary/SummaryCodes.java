package org.openepaccs.summary;

import java.util.Set;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.records.RecordMeanings;

import static org.openepaccs.common.Systems.SNOMED;

/**
 * Which section a coded record belongs in, from the value sets of our conformance
 * package, so that the summary sorts records exactly as the profiles tell them apart.
 */
record SummaryCodes(Set<String> preferredPlaceOfDeath, Set<String> preferredPlaceOfCare, Set<String> prognosis,
		Set<String> prognosisAwareness, Set<String> functionalStatus, Set<String> actualPlaceOfDeath,
		Set<String> cprDecision, Set<String> registerFlag, Set<String> adrt, Set<String> lpa,
		Set<String> anticipatoryMedicines, Set<String> emergencyPlans) {

	private static final String VALUE_SETS = ConformancePackage.CANONICAL_BASE + "/ValueSet/";

	static SummaryCodes of(ConformancePackage conformance) {
		return new SummaryCodes(conformance.codesOf(VALUE_SETS + "epaccs-preferred-place-of-death"),
				conformance.codesOf(VALUE_SETS + "epaccs-preferred-place-of-care"),
				conformance.codesOf(VALUE_SETS + "epaccs-prognosis"),
				conformance.codesOf(VALUE_SETS + "epaccs-prognosis-awareness"),
				conformance.codesOf(VALUE_SETS + "epaccs-functional-status"),
				conformance.codesOf(VALUE_SETS + "epaccs-actual-place-of-death"),
				conformance.codesOf(VALUE_SETS + "epaccs-cpr-decision"),
				conformance.codesOf(VALUE_SETS + "epaccs-register-flag-code"),
				conformance.codesOf(VALUE_SETS + "epaccs-adrt-finding"),
				conformance.codesOf(VALUE_SETS + "epaccs-lpa-finding"),
				conformance.codesOf(VALUE_SETS + "epaccs-anticipatory-medicines"),
				// ReSPECT, treatment escalation plan, emergency health care plan: the
				// plan types of epaccs-plan-type that carry treatment recommendations
				Set.of(SNOMED + "|1107891000000106", SNOMED + "|735324008", SNOMED + "|887701000000100"));
	}

	static boolean in(CodeableConcept concept, Set<String> codes) {
		return RecordMeanings.hasCode(concept, codes);
	}

	static boolean in(java.util.List<CodeableConcept> concepts, Set<String> codes) {
		return concepts.stream().anyMatch((concept) -> in(concept, codes));
	}

}
