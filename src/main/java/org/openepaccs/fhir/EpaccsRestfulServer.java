package org.openepaccs.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import org.openepaccs.common.RequestId;

/**
 * HAPI's {@link RestfulServer}, using the request id our servlet filter already assigned
 * (and put in the logs and the response header) instead of inventing a second one.
 */
class EpaccsRestfulServer extends RestfulServer {

	private static final long serialVersionUID = 1L;

	EpaccsRestfulServer(FhirContext fhirContext) {
		super(fhirContext);
	}

	@Override
	protected String getOrCreateRequestId(HttpServletRequest request) {
		String requestId = RequestId.of(request);
		return requestId != null ? requestId : super.getOrCreateRequestId(request);
	}

	@Override
	protected void addRequestIdToResponse(ServletRequestDetails requestDetails, String requestId) {
		if (RequestId.of(requestDetails.getServletRequest()) == null) {
			super.addRequestIdToResponse(requestDetails, requestId);
		}
	}

}
