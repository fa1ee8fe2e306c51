package org.openepaccs.export;

import java.util.List;
import java.util.Set;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.bulk.BulkExportJobParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.security.ConsentDirectory;
import org.openepaccs.security.PeopleOfRecords;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Consent to share, applied by the export job to every resource it is about to write: a
 * resource in the record of anyone who refused to share with the exporting organisation
 * (carried in the job, {@link ExportRules#ORGANISATION}) is left out, as is, in a
 * practice export, anything not in the record of one of the practice's people. Decided
 * when the file is written, with the consent decisions of that moment, so a refusal
 * recorded after the kick-off still counts.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class ExportConsent implements FhirStorageInterceptor {

	private final ConsentDirectory consent;

	private final PeopleOfRecords people;

	private volatile Practice lastPractice;

	ExportConsent(ConsentDirectory consent, PeopleOfRecords people) {
		this.consent = consent;
		this.people = people;
	}

	@Hook(Pointcut.STORAGE_BULK_EXPORT_RESOURCE_INCLUSION)
	public boolean include(BulkExportJobParameters parameters, IBaseResource resource) {
		if (!(parameters.getUserData().get(ExportRules.ORGANISATION) instanceof String organisation)) {
			return false; // a job not started by a client through ExportRules writes
							// nothing
		}
		Set<String> whose = this.people.patientsOf(resource);
		if (whose.stream().anyMatch((patient) -> this.consent.isHiddenFrom(patient, organisation))) {
			return false;
		}
		if (Boolean.TRUE.equals(parameters.getUserData().get(ExportRules.PRACTICE))) {
			Set<String> practice = practiceOf(parameters);
			return !whose.isEmpty() && whose.stream().allMatch((patient) -> practice.contains("Patient/" + patient));
		}
		return true;
	}

	/**
	 * The practice's people as a set, built once per list: a job step asks about every
	 * resource it writes with the same parameters.
	 */
	private Set<String> practiceOf(BulkExportJobParameters parameters) {
		List<String> listed = parameters.getPatientIds();
		Practice last = this.lastPractice;
		if (last == null || last.listed() != listed) {
			last = new Practice(listed, Set.copyOf(listed));
			this.lastPractice = last;
		}
		return last.people();
	}

	private record Practice(List<String> listed, Set<String> people) {

	}

}
