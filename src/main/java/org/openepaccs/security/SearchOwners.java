package org.openepaccs.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.i18n.Msg;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.method.PageMethodBinding;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.rest.server.util.ICachedSearchDetails;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Binds a stored search to the caller who made it. A search's pages were selected with
 * that caller's consent labels, so a paging link ({@code _getpages=<search id>}) handed
 * to, or guessed by, a caller of another organisation, role or user must not give them
 * the first caller's results.
 * <p>
 * The owner is part of the search id itself: HAPI's random UUID followed by a digest of
 * who searched, written into the search before HAPI stores it. Changing the digest
 * changes the id, so it names no stored search; nothing needs to be kept beside HAPI's
 * own table, and every replica checks it alike. A page asked for by anyone else is
 * answered exactly as HAPI answers a search id it does not know (410).
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class SearchOwners implements FhirServerInterceptor {

	/** HAPI's search ids (UUIDs), with or without our owner digest. */
	private static final Pattern SEARCH_ID = Pattern
		.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-[0-9a-f]{11})?");

	/** 36 characters of UUID, a dash and this many fit HAPI's 48-character column. */
	private static final int DIGEST_LENGTH = 11;

	private final Callers callers;

	private final FhirContext fhirContext;

	SearchOwners(Callers callers, FhirContext fhirContext) {
		this.callers = callers;
		this.fhirContext = fhirContext;
	}

	/**
	 * A client's search gets an id that names its owner; the server's own searches are
	 * never paged by a client.
	 */
	@Hook(Pointcut.STORAGE_PRESEARCH_REGISTERED)
	public void bind(ICachedSearchDetails search, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails) || search.getUuid() == null
				|| !SEARCH_ID.matcher(search.getUuid()).matches() || search.getUuid().length() > 36) {
			return;
		}
		search.setUuid(search.getUuid() + "-" + ownerOf(this.callers.current()));
	}

	/**
	 * A page of a stored search is served only to the caller who made it; anyone else is
	 * told what HAPI tells of an unknown search id.
	 */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -40)
	public void checkOwner(RequestDetails request, RestOperationTypeEnum operation) {
		if (operation != RestOperationTypeEnum.GET_PAGE) {
			return;
		}
		String[] ids = request.getParameters().get(Constants.PARAM_PAGINGACTION);
		String id = (ids != null && ids.length > 0) ? ids[0] : null;
		if (id == null || !SEARCH_ID.matcher(id).matches()) {
			return; // our own providers' page ids re-run their query as the caller
		}
		if (!id.endsWith("-" + ownerOf(this.callers.current()))) {
			throw new ResourceGoneException(Msg.code(417)
					+ this.fhirContext.getLocalizer().getMessage(PageMethodBinding.class, "unknownSearchId", id));
		}
	}

	/**
	 * A digest of everything that decides what a search shows: user, client, organisation
	 * (whose consent labels it was narrowed by), role, patient context, scopes, and
	 * whether the glass was broken.
	 */
	static String ownerOf(Optional<Caller> caller) {
		String who = caller.map((c) -> String.join("|", String.valueOf(c.user()), String.valueOf(c.clientId()),
				String.valueOf(c.organisation()), String.valueOf(c.role()), String.valueOf(c.patient()),
				c.scopes().toString(), String.valueOf(c.breaksTheGlass())))
			.orElse("anonymous");
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(who.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest).substring(0, DIGEST_LENGTH);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every Java runtime", ex);
		}
	}

}
