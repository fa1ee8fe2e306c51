package org.openepaccs.requests;

import java.util.Map;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.openepaccs.common.Causes;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;

/**
 * HAPI's own operations that fail with a {@link NullPointerException} when called without
 * the parameters their definition requires: {@code CodeSystem/$subsumes} without a system
 * looks up a code system named null, and HAPI's default validation support fails on it.
 * That one failure, thrown there, is the client's error: answered 400 with what the
 * operation needs instead of 500. Any other failure stays a server error and is logged.
 * The operation only reads, so nothing is left half-done.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class MissingOperationParameters implements FhirServerInterceptor {

	/**
	 * What each operation needs, in the words of its definition in the FHIR
	 * specification.
	 */
	static final Map<String, String> REQUIRED = Map.of("$subsumes",
			"$subsumes needs codeA and codeB with system (system may be left out on a CodeSystem instance), "
					+ "or codingA and codingB");

	/** Where the failure of a code system looked up by a null system is thrown. */
	private static final String THROWN_IN = "ca.uhn.fhir.context.support.DefaultProfileValidationSupport";

	/** After the outage check (order 0), so that a lost database stays a 503. */
	@Hook(value = Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION, order = 10)
	public BaseServerResponseException missing(RequestDetails request, Throwable failure) {
		String needs = (request.getOperation() != null) ? REQUIRED.get(request.getOperation()) : null;
		if (needs == null
				|| (failure instanceof BaseServerResponseException answered && answered.getStatusCode() < 500)) {
			return null;
		}
		boolean nullSystem = Causes.any(failure, (cause) -> cause instanceof NullPointerException
				&& cause.getStackTrace().length > 0 && cause.getStackTrace()[0].getClassName().startsWith(THROWN_IN));
		return nullSystem ? new InvalidRequestException(needs) : null;
	}

}
