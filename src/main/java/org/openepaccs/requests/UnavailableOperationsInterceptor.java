package org.openepaccs.requests;

import java.util.Set;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;

/**
 * Operations HAPI offers that this server cannot run: {@code $lastn} needs a search index
 * (Elasticsearch) that is not part of it, and without one HAPI fails with a 500 whatever
 * the request. They are refused up front with a message that says so.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class UnavailableOperationsInterceptor implements FhirServerInterceptor {

	static final Set<String> UNAVAILABLE = Set.of("$lastn");

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean refuse(RequestDetails request) {
		if (request.getOperation() != null && UNAVAILABLE.contains(request.getOperation())) {
			throw new InvalidRequestException("The operation " + request.getOperation() + " is not available on this "
					+ "server: it needs a search index the server does not run; search for the observations instead");
		}
		return true;
	}

}
