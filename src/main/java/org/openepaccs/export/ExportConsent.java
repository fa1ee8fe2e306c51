package org.openepaccs.export;

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
			return !whose.isEmpty()
					&& whose.stream().allMatch((patient) -> parameters.getPatientIds().contains("Patient/" + patient));
		}
		return true;
	}

}
