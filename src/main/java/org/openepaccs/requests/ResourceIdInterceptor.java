package org.openepaccs.requests;

import java.util.regex.Pattern;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.instance.model.api.IIdType;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;

/**
 * Answers a resource id that breaks FHIR's id rule ({@code [A-Za-z0-9\-.]{1,64}}) with
 * 400 saying so, rather than a 404 that suggests the record might exist under that id or
 * a client-assigned id that other servers would refuse.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class ResourceIdInterceptor implements FhirServerInterceptor {

	private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	private static final Pattern VERSION_ID = Pattern.compile("[0-9]{1,18}");

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean checkId(RequestDetails request) {
		IIdType id = request.getId();
		if (id == null) {
			return true;
		}
		if (id.hasIdPart() && !FHIR_ID.matcher(id.getIdPart()).matches()) {
			throw new InvalidRequestException(
					"Resource id must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '.'; this one is not");
		}
		if (id.hasVersionIdPart() && !VERSION_ID.matcher(id.getVersionIdPart()).matches()) {
			throw new InvalidRequestException("Version id in _history/ must be a number");
		}
		return true;
	}

}
