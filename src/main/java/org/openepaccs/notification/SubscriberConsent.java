package org.openepaccs.notification;

import java.util.Set;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.openepaccs.security.ConsentDirectory;
import org.openepaccs.security.PeopleOfRecords;

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

	private final PeopleOfRecords people;

	SubscriberConsent(ConsentDirectory directory, PeopleOfRecords people) {
		this.directory = directory;
		this.people = people;
	}

	/** The ids of the people whose record the resource is part of. */
	Set<String> patientsOf(IBaseResource resource) {
		return this.people.patientsOf(resource);
	}

	/**
	 * Whether none of these people has refused to share with the organisation (null: a
	 * subscription without one, which sees nobody who has refused).
	 */
	boolean sharedWith(Set<String> patients, String organisation) {
		return patients.stream().noneMatch((patient) -> this.directory.isHiddenFrom(patient, organisation));
	}

}
