package org.openepaccs.notification;

import java.util.HashSet;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Patient;
import org.openepaccs.security.ConsentDirectory;

import org.springframework.stereotype.Component;

/**
 * Whether a subscriber's organisation may hear of a change: not when the change is in the
 * record (the patient compartment) of someone who has refused to share with it. A
 * notification names only what changed, but that a hidden person's record changed, and
 * its resource ids, are already more than the organisation may know.
 */
@Component
class SubscriberConsent {

	private final ConsentDirectory directory;

	private final FhirTerser terser;

	SubscriberConsent(ConsentDirectory directory, FhirContext fhirContext) {
		this.directory = directory;
		this.terser = fhirContext.newTerser();
	}

	/** The ids of the people whose record the resource is part of. */
	Set<String> patientsOf(IBaseResource resource) {
		if (resource instanceof Patient patient) {
			return Set.of(patient.getIdElement().getIdPart());
		}
		Set<String> patients = new HashSet<>();
		for (IIdType owner : this.terser.getCompartmentOwnersForResource("Patient", resource, Set.of())) {
			patients.add(owner.getIdPart());
		}
		return patients;
	}

	/**
	 * Whether none of these people has refused to share with the organisation (null: a
	 * subscription without one, which sees nobody who has refused).
	 */
	boolean sharedWith(Set<String> patients, String organisation) {
		for (String patient : patients) {
			Set<String> custodians = this.directory.custodiansIfRefused(patient);
			if (custodians != null && (organisation == null || !custodians.contains(organisation))) {
				return false;
			}
		}
		return true;
	}

}
