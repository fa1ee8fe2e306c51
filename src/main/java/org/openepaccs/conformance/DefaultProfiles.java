package org.openepaccs.conformance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.Enumerations.BindingStrength;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.StructureDefinition;

import static org.openepaccs.common.Systems.SNOMED;

/**
 * Which of our profiles a resource that declares none of ours is validated against: the
 * one whose meaning it carries, told by a code. A GP system's other records (an asthma
 * care plan, a district nursing episode, a Consent to something else) are not EPaCCS
 * content and are validated against base FHIR R4 only; holding our profiles to them
 * refused ordinary data.
 * <p>
 * The rules, in the order they are tried:
 * <ul>
 * <li>every Patient: a person stored here is a person with an EPaCCS record, and the
 * profile constrains only the NHS number identifier;</li>
 * <li>an EpisodeOfCare whose {@code type} is 103735009 Palliative care (the register
 * entry's pattern);</li>
 * <li>a CarePlan whose {@code category} is a code of {@code epaccs-plan-type};</li>
 * <li>a CareTeam with a {@code participant.role} from {@code epaccs-care-team-role};</li>
 * <li>a RelatedPerson whose {@code relationship} is a code of
 * {@code epaccs-relationship-type};</li>
 * <li>a DocumentReference whose {@code type} is a code of
 * {@code epaccs-document-type};</li>
 * <li>a Procedure whose {@code code} is a code of
 * {@code epaccs-anticipatory-medicines};</li>
 * <li>a Consent whose {@code scope} is patient-privacy (the sharing decision the server
 * enforces), or whose {@code category} is an ADRT or LPA finding;</li>
 * <li>an Observation or Flag whose {@code code} is in the required code value set of one
 * of our profiles of that type (read from the package).</li>
 * </ul>
 */
final class DefaultProfiles {

	/**
	 * The profile that applies and why, in words a sending system's developer can act on.
	 */
	record Applied(String profile, String reason) {
	}

	private static final String PROFILES = ConformancePackage.CANONICAL_BASE + "/StructureDefinition/";

	private static final String VALUE_SETS = ConformancePackage.CANONICAL_BASE + "/ValueSet/";

	private static final String CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope";

	private final Map<String, List<Rule>> rulesByType = new HashMap<>();

	DefaultProfiles(ConformancePackage conformancePackage) {
		always("Patient", "epaccs-patient", "every Patient stored here is a person with an EPaCCS record");
		byCodes("EpisodeOfCare", "epaccs-register-entry", "EpisodeOfCare.type", (r) -> ((EpisodeOfCare) r).getType(),
				Set.of(SNOMED + "|103735009"), "103735009 Palliative care");
		byValueSet(conformancePackage, "CarePlan", "epaccs-advance-care-plan", "CarePlan.category",
				(r) -> ((CarePlan) r).getCategory(), "epaccs-plan-type");
		byValueSet(conformancePackage, "CareTeam", "epaccs-care-team", "CareTeam.participant.role",
				(r) -> ((CareTeam) r).getParticipant().stream().flatMap((p) -> p.getRole().stream()).toList(),
				"epaccs-care-team-role");
		byValueSet(conformancePackage, "RelatedPerson", "epaccs-related-person", "RelatedPerson.relationship",
				(r) -> ((RelatedPerson) r).getRelationship(), "epaccs-relationship-type");
		byValueSet(conformancePackage, "DocumentReference", "epaccs-document", "DocumentReference.type",
				(r) -> List.of(((DocumentReference) r).getType()), "epaccs-document-type");
		byValueSet(conformancePackage, "Procedure", "epaccs-anticipatory-medicines", "Procedure.code",
				(r) -> List.of(((Procedure) r).getCode()), "epaccs-anticipatory-medicines");
		byCodes("Consent", "epaccs-consent-to-share", "Consent.scope", (r) -> List.of(((Consent) r).getScope()),
				Set.of(CONSENT_SCOPE + "|patient-privacy"), "patient-privacy");
		byValueSet(conformancePackage, "Consent", "epaccs-adrt", "Consent.category", (r) -> ((Consent) r).getCategory(),
				"epaccs-adrt-finding");
		byValueSet(conformancePackage, "Consent", "epaccs-lpa-consent", "Consent.category",
				(r) -> ((Consent) r).getCategory(), "epaccs-lpa-finding");
		for (IBaseResource resource : conformancePackage.resources()) {
			if (resource instanceof StructureDefinition profile && ConformancePackage.isOurs(profile.getUrl())
					&& Set.of("Observation", "Flag").contains(profile.getType())) {
				String valueSet = requiredCodeBinding(profile);
				if (valueSet != null) {
					Function<IBaseResource, List<CodeableConcept>> code = (r) -> List
						.of((r instanceof Observation observation) ? observation.getCode() : ((Flag) r).getCode());
					add(profile.getType(), new Rule(profile.getUrl(), profile.getType() + ".code", code,
							conformancePackage.codesOf(valueSet), "a code of " + ConformancePackage.nameOf(valueSet)));
				}
			}
		}
	}

	/** The profile that applies to a resource declaring none of ours, if any does. */
	Optional<Applied> profileFor(IBaseResource resource) {
		for (Rule rule : this.rulesByType.getOrDefault(resource.fhirType(), List.of())) {
			Optional<Applied> applied = rule.apply(resource);
			if (applied.isPresent()) {
				return applied;
			}
		}
		return Optional.empty();
	}

	private void always(String type, String profile, String reason) {
		add(type, new Rule(PROFILES + profile, null, null, null, reason));
	}

	private void byCodes(String type, String profile, String element,
			Function<IBaseResource, List<CodeableConcept>> concepts, Set<String> codes, String what) {
		add(type, new Rule(PROFILES + profile, element, concepts, codes, what));
	}

	private void byValueSet(ConformancePackage conformancePackage, String type, String profile, String element,
			Function<IBaseResource, List<CodeableConcept>> concepts, String valueSet) {
		Set<String> codes = conformancePackage.codesOf(VALUE_SETS + valueSet);
		if (codes.isEmpty()) {
			throw new IllegalStateException("The conformance package has no codes in value set " + valueSet
					+ ", which tells which resources are " + profile);
		}
		add(type, new Rule(PROFILES + profile, element, concepts, codes, "a code of " + valueSet));
	}

	private void add(String type, Rule rule) {
		this.rulesByType.computeIfAbsent(type, (key) -> new ArrayList<>()).add(rule);
	}

	private static String requiredCodeBinding(StructureDefinition profile) {
		for (ElementDefinition element : profile.getSnapshot().getElement()) {
			if (element.getPath().equals(profile.getType() + ".code") && element.hasBinding()
					&& element.getBinding().getStrength() == BindingStrength.REQUIRED) {
				String valueSet = element.getBinding().getValueSet();
				int version = valueSet.indexOf('|');
				return (version < 0) ? valueSet : valueSet.substring(0, version);
			}
		}
		return null;
	}

	/**
	 * One profile of a type, applied when the element holds one of the codes (or always,
	 * without an element).
	 */
	private record Rule(String profile, String element, Function<IBaseResource, List<CodeableConcept>> concepts,
			Set<String> codes, String what) {

		Optional<Applied> apply(IBaseResource resource) {
			String name = ConformancePackage.nameOf(this.profile);
			if (this.element == null) {
				return Optional.of(new Applied(this.profile, name + " applies by default: " + this.what));
			}
			for (CodeableConcept concept : this.concepts.apply(resource)) {
				for (Coding coding : concept.getCoding()) {
					String code = coding.getSystem() + "|" + coding.getCode();
					if (this.codes.contains(code)) {
						return Optional.of(new Applied(this.profile,
								name + " applies by default: " + this.element + " holds " + code + ", " + this.what));
					}
				}
			}
			return Optional.empty();
		}

	}

}
