package org.openepaccs.server;

import java.util.regex.Pattern;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;

/**
 * HTTP conditional requests as FHIR specifies them: an {@code If-Match} naming a version
 * that is no longer current gets 412 Precondition Failed (HAPI answers 409), and a
 * malformed {@code If-Match} or {@code If-None-Match} gets a 400 saying what a valid one
 * looks like instead of reaching HAPI's parser.
 */
@Interceptor
class ConditionalRequestInterceptor {

	/** {@code W/"3"}, {@code "3"} or {@code 3}: HAPI's version ids are numbers. */
	private static final Pattern VERSION_ETAG = Pattern.compile("(W/)?\"?[0-9]{1,18}\"?");

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean checkHeaders(RequestDetails request) {
		checkVersionETag(request, Constants.HEADER_IF_MATCH, false);
		checkVersionETag(request, Constants.HEADER_IF_NONE_MATCH, true);
		return true;
	}

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException versionConflictIsPreconditionFailure(RequestDetails request,
			Throwable exception) {
		if (exception instanceof ResourceVersionConflictException && request != null
				&& request.getHeader(Constants.HEADER_IF_MATCH) != null) {
			return new PreconditionFailedException("If-Match names version "
					+ request.getHeader(Constants.HEADER_IF_MATCH).trim()
					+ ", which is not the current version of this resource: read it again, then retry the change");
		}
		return null;
	}

	private static void checkVersionETag(RequestDetails request, String header, boolean wildcardAllowed) {
		String value = request.getHeader(header);
		if (value == null) {
			return;
		}
		String trimmed = value.trim();
		if (wildcardAllowed && "*".equals(trimmed)) {
			return;
		}
		if (!VERSION_ETAG.matcher(trimmed).matches()) {
			throw new InvalidRequestException(header + " must be a version ETag such as W/\"3\"");
		}
	}

}
