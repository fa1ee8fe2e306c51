package org.openepaccs.security;

import java.util.HashSet;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Patient;

import org.springframework.stereotype.Component;

/**
 * Whose record a resource is part of: the Patient itself, or the owners of the patient
 * compartments it is in. The one rule by which consent to share decides what is shown,
 * what is labelled for searches and what subscribers hear of.
 */
@Component
public class PeopleOfRecords {

	private final FhirTerser terser;

	PeopleOfRecords(FhirContext fhirContext) {
		this.terser = fhirContext.newTerser();
	}

	/** The ids of the people whose record the resource is part of. */
	public Set<String> patientsOf(IBaseResource resource) {
		Set<String> patients = new HashSet<>();
		if (resource instanceof Patient patient) {
			if (patient.getIdElement().getIdPart() != null) {
				patients.add(patient.getIdElement().getIdPart());
			}
			return patients;
		}
		for (IIdType owner : this.terser.getCompartmentOwnersForResource("Patient", resource, Set.of())) {
			if (owner.getIdPart() != null) {
				patients.add(owner.getIdPart());
			}
		}
		return patients;
	}

}
