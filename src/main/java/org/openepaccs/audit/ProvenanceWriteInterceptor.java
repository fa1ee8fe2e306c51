package org.openepaccs.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Provenance;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Provenance is the server's record of who changed what ({@link ProvenanceProvider}): a
 * client cannot add to it or change it, not through a transaction either.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class ProvenanceWriteInterceptor implements FhirStorageInterceptor {

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		refuse(resource, request);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		refuse(resource, request);
	}

	private static void refuse(IBaseResource resource, RequestDetails request) {
		if (resource instanceof Provenance && request != null
				&& !(request instanceof ca.uhn.fhir.rest.api.server.SystemRequestDetails)) {
			throw new UnprocessableEntityException("Provenance is recorded by the server with each change; "
					+ "clients cannot write it (search it with Provenance?target=Type/id)");
		}
	}

}
