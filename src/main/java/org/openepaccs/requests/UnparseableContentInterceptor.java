package org.openepaccs.requests;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.exceptions.FHIRFormatError;
import org.openepaccs.common.Causes;
import org.openepaccs.errors.DiagnosticsSanitiser;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.security.web.firewall.RequestRejectedException;

/**
 * A header value the firewall refuses when HAPI reads it is the client's error too: 400.
 * A body HAPI's parser gives up on with an unchecked exception (a narrative {@code div}
 * that is not XHTML, for one) is the client's error: 400 saying the content could not be
 * read, not 500.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class UnparseableContentInterceptor implements FhirServerInterceptor {

	@Hook(value = Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION, order = -5)
	public BaseServerResponseException unparseable(RequestDetails request, Throwable failure) {
		if (failure instanceof BaseServerResponseException answered && answered.getStatusCode() < 500) {
			return null;
		}
		return Causes
			.first(failure,
					(cause) -> cause instanceof RequestRejectedException || cause instanceof FHIRFormatError
							|| cause instanceof DataFormatException)
			.map(UnparseableContentInterceptor::answer)
			.orElse(null);
	}

	private static BaseServerResponseException answer(Throwable cause) {
		if (cause instanceof RequestRejectedException) {
			// the firewall's message quotes the value: not repeated
			return new InvalidRequestException("A request header has characters that HTTP header values may not "
					+ "carry: send header values as printable ASCII");
		}
		return new InvalidRequestException("The request body could not be read as FHIR: "
				+ DiagnosticsSanitiser.sanitise(String.valueOf(cause.getMessage())));
	}

}
