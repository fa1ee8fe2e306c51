package org.openepaccs.audit;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import org.openepaccs.common.RequestId;

/**
 * Where a request came from.
 *
 * @param query the query string of a search
 * @param address the client's network address
 * @param requestId the request id that is also in the logs
 */
record RequestOrigin(String query, String address, String requestId) {

	static RequestOrigin of(RequestDetails request) {
		if (request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null) {
			HttpServletRequest http = servlet.getServletRequest();
			return new RequestOrigin(http.getQueryString(), http.getRemoteAddr(), RequestId.of(http));
		}
		return new RequestOrigin(null, null, null);
	}

	RequestOrigin withoutQuery() {
		return new RequestOrigin(null, this.address, this.requestId);
	}

}
