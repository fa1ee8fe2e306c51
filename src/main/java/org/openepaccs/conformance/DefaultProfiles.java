package org.openepaccs.conformance;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.Enumerations.BindingStrength;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.StructureDefinition;

/**
 * Which of our profiles a resource is validated against when it declares none: the
 * configured profile for its type, or, for types whose profiles are told apart by code
 * (Observation, Flag), the profile whose required {@code code} value set holds its code.
 */
final class DefaultProfiles {

	private final Map<String, String> byType;

	private final Map<String, Map<String, String>> byTypeAndCode = new HashMap<>();

	DefaultProfiles(ConformancePackage conformancePackage, ValidationProperties properties) {
		Map<String, String> byType = new HashMap<>(properties.defaultProfiles());
		byType.values().removeIf(String::isEmpty);
		this.byType = Map.copyOf(byType);
		for (IBaseResource resource : conformancePackage.resources()) {
			if (resource instanceof StructureDefinition profile && ConformancePackage.isOurs(profile.getUrl())
					&& properties.selectByCode().contains(profile.getType())
					&& !"Extension".equals(profile.getType())) {
				String valueSet = requiredCodeBinding(profile);
				if (valueSet != null) {
					Map<String, String> codes = this.byTypeAndCode.computeIfAbsent(profile.getType(),
							(type) -> new HashMap<>());
					conformancePackage.codesOf(valueSet).forEach((code) -> codes.put(code, profile.getUrl()));
				}
			}
		}
	}

	Optional<String> profileFor(IBaseResource resource) {
		String type = resource.fhirType();
		if (this.byType.containsKey(type)) {
			return Optional.of(this.byType.get(type));
		}
		Map<String, String> codes = this.byTypeAndCode.get(type);
		if (codes == null) {
			return Optional.empty();
		}
		CodeableConcept code = (resource instanceof Observation observation) ? observation.getCode()
				: (resource instanceof Flag flag) ? flag.getCode() : null;
		if (code == null) {
			return Optional.empty();
		}
		for (Coding coding : code.getCoding()) {
			String profile = codes.get(coding.getSystem() + "|" + coding.getCode());
			if (profile != null) {
				return Optional.of(profile);
			}
		}
		return Optional.empty();
	}

	Set<String> typesWithDefault() {
		return this.byType.keySet();
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

}
