package org.openepaccs.security;

import java.util.Optional;

import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizedList;
import ca.uhn.fhir.rest.server.interceptor.auth.SearchNarrowingInterceptor;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * A {@code patient/} scope confines searches to that patient's compartment before they
 * run (HAPI adds the patient to the search), so results, paging and totals never involve
 * anyone else.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class PatientSearchNarrowing extends SearchNarrowingInterceptor implements FhirServerInterceptor {

	private final Callers callers;

	PatientSearchNarrowing(Callers callers) {
		this.callers = callers;
	}

	@Override
	protected AuthorizedList buildAuthorizedList(RequestDetails request) {
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty() || request.getResourceName() == null) {
			return null;
		}
		AccessPolicy.Decision search = AccessPolicy.decide(caller.get(), request.getResourceName(), Interaction.SEARCH);
		if (search.allowed() && search.patientCompartment() != null) {
			return new AuthorizedList().addCompartment("Patient/" + search.patientCompartment());
		}
		return null;
	}

}
