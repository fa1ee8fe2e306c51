package org.openepaccs.requests;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.util.DateUtils;
import org.hl7.fhir.instance.model.api.IIdType;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.security.web.firewall.RequestRejectedException;

/**
 * HTTP conditional requests as FHIR specifies them. An update, patch or delete whose
 * {@code If-Match} names a version that is no longer current gets 412 Precondition Failed
 * and changes nothing (HAPI answers 409 for updates and ignores {@code If-Match} on
 * delete); other conflicts, such as deleting a resource that is still referenced, stay
 * 409. A malformed {@code If-Match} or {@code If-None-Match} gets a 400 saying what a
 * valid one looks like instead of reaching HAPI's parser, and so does an
 * {@code If-Modified-Since} that is not an HTTP date.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class ConditionalRequestInterceptor implements FhirServerInterceptor {

	/**
	 * {@code W/"3"}, {@code "3"} or {@code 3}: HAPI's version ids are numbers. A quote
	 * must be closed: HAPI fails with a 500 on {@code W/"3}.
	 */
	private static final Pattern VERSION_ETAG = Pattern.compile("(?:W/)?(?:\"([0-9]{1,18})\"|([0-9]{1,18}))");

	private final DaoRegistry daoRegistry;

	ConditionalRequestInterceptor(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean checkHeaders(RequestDetails request) {
		String ifMatch = versionIn(request, Constants.HEADER_IF_MATCH, false);
		versionIn(request, Constants.HEADER_IF_NONE_MATCH, true);
		checkIfModifiedSince(request);
		IIdType id = request.getId();
		if (ifMatch != null && request.getRequestType() == RequestTypeEnum.DELETE && id != null && id.hasIdPart()
				&& !id.hasVersionIdPart()) {
			// HAPI's DAO refuses to delete a versioned id that is not current, inside its
			// transaction
			request.setId(id.withVersion(ifMatch));
		}
		return true;
	}

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException versionConflictIsPreconditionFailure(RequestDetails request,
			Throwable exception) {
		if (!(exception instanceof ResourceVersionConflictException) || request == null) {
			return null;
		}
		String ifMatch = versionIn(request, Constants.HEADER_IF_MATCH, false);
		if (ifMatch == null || !isNotCurrent(request, ifMatch)) {
			return null;
		}
		return new PreconditionFailedException("If-Match names version " + ifMatch
				+ ", which is not the current version of this resource: read it again, then retry the change");
	}

	private boolean isNotCurrent(RequestDetails request, String version) {
		IIdType id = request.getId();
		if (id == null || !id.hasIdPart() || request.getResourceName() == null) {
			return false;
		}
		try {
			IIdType current = this.daoRegistry.getResourceDao(request.getResourceName())
				.read(id.toVersionless(), new SystemRequestDetails())
				.getIdElement();
			return !version.equals(current.getVersionIdPart());
		}
		catch (ResourceGoneException | ResourceNotFoundException ex) {
			return true;
		}
	}

	/** The version number an ETag header names, or null without the header. */
	private static String versionIn(RequestDetails request, String header, boolean wildcardAllowed) {
		return version(header, header(request, header), wildcardAllowed);
	}

	/**
	 * A header's value. Spring Security's firewall refuses a value with characters
	 * outside printable ISO-8859-1 when it is read, by throwing: that is the client's
	 * error, and the value is not repeated.
	 */
	private static String header(RequestDetails request, String header) {
		try {
			return request.getHeader(header);
		}
		catch (RequestRejectedException ex) {
			throw new InvalidRequestException(header + " has characters that HTTP header values may not carry; "
					+ "it must be a version ETag such as W/\"3\"");
		}
	}

	/**
	 * The version number an ETag names, or null without one; also for a transaction
	 * entry's {@code request.ifMatch} and {@code request.ifNoneMatch}.
	 */
	static String version(String header, String value, boolean wildcardAllowed) {
		if (value == null) {
			return null;
		}
		String trimmed = value.trim();
		if (wildcardAllowed && "*".equals(trimmed)) {
			return null;
		}
		Matcher matcher = VERSION_ETAG.matcher(trimmed);
		if (!matcher.matches()) {
			throw new InvalidRequestException(header + " must be a version ETag such as W/\"3\"");
		}
		return (matcher.group(1) != null) ? matcher.group(1) : matcher.group(2);
	}

	/**
	 * HAPI reads a date it cannot parse as null and then fails with a 500. HTTP would
	 * have the header ignored, but a client that sends one expects it to work: say why it
	 * does not.
	 */
	private static void checkIfModifiedSince(RequestDetails request) {
		String value = header(request, Constants.HEADER_IF_MODIFIED_SINCE);
		if (value != null && !value.isBlank() && DateUtils.parseDate(value.trim()) == null) {
			throw new InvalidRequestException(
					Constants.HEADER_IF_MODIFIED_SINCE + " must be an HTTP date such as Wed, 21 Oct 2015 07:28:00 GMT");
		}
	}

}
