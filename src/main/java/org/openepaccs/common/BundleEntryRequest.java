package org.openepaccs.common;

import java.util.Map;
import java.util.regex.Pattern;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import org.hl7.fhir.r4.model.Bundle;

/**
 * A batch or transaction entry read as the request it stands for: what the access gate
 * classifies and the audit trail records for each entry.
 *
 * @param interaction what HAPI would call it
 * @param type the resource type, or null at server level
 * @param id the id of the resource asked about, or null
 * @param operation the operation's name, or null
 */
public record BundleEntryRequest(RestOperationTypeEnum interaction, String type, String id, String operation) {

	private static final Map<Bundle.HTTPVerb, RestOperationTypeEnum> ON_INSTANCE = Map.of(Bundle.HTTPVerb.GET,
			RestOperationTypeEnum.READ, Bundle.HTTPVerb.HEAD, RestOperationTypeEnum.READ, Bundle.HTTPVerb.PUT,
			RestOperationTypeEnum.UPDATE, Bundle.HTTPVerb.PATCH, RestOperationTypeEnum.PATCH, Bundle.HTTPVerb.DELETE,
			RestOperationTypeEnum.DELETE);

	/** A resource type's name as FHIR spells them: {@code Patient}, never {@code !!}. */
	private static final Pattern TYPE = Pattern.compile("[A-Z][A-Za-z]{0,63}");

	/** A FHIR id, also the form of a version id. */
	private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	private static final Pattern OPERATION = Pattern.compile("\\$[A-Za-z][A-Za-z0-9_.-]{0,63}");

	/**
	 * Null where the method and URL name no request of this server, such as a URL that is
	 * not a resource type, id or operation: the client's error (400), not a request the
	 * access rules must weigh.
	 */
	public static BundleEntryRequest parse(Bundle.HTTPVerb method, String url) {
		String path = url;
		int query = path.indexOf('?');
		boolean conditional = query >= 0;
		if (conditional) {
			path = path.substring(0, query);
		}
		while (path.startsWith("/")) {
			path = path.substring(1);
		}
		if (path.contains("://")) {
			return null; // absolute URLs are not resolved against this server
		}
		String[] parts = path.isEmpty() ? new String[0] : path.split("/", -1);
		if (!wellFormed(parts)) {
			return null;
		}
		boolean get = method == Bundle.HTTPVerb.GET || method == Bundle.HTTPVerb.HEAD;
		switch (parts.length) {
			case 0:
				return new BundleEntryRequest(
						get ? RestOperationTypeEnum.SEARCH_SYSTEM
								: (method == Bundle.HTTPVerb.POST) ? RestOperationTypeEnum.TRANSACTION : null,
						null, null, null);
			case 1:
				if (parts[0].startsWith("$")) {
					return new BundleEntryRequest(RestOperationTypeEnum.EXTENDED_OPERATION_SERVER, null, null,
							parts[0]);
				}
				if ("_history".equals(parts[0])) {
					return new BundleEntryRequest(RestOperationTypeEnum.HISTORY_SYSTEM, null, null, null);
				}
				return switch (method) {
					case GET, HEAD -> new BundleEntryRequest(RestOperationTypeEnum.SEARCH_TYPE, parts[0], null, null);
					case POST -> new BundleEntryRequest(RestOperationTypeEnum.CREATE, parts[0], null, null);
					case PUT ->
						conditional ? new BundleEntryRequest(RestOperationTypeEnum.UPDATE, parts[0], null, null) : null;
					case PATCH ->
						conditional ? new BundleEntryRequest(RestOperationTypeEnum.PATCH, parts[0], null, null) : null;
					case DELETE ->
						conditional ? new BundleEntryRequest(RestOperationTypeEnum.DELETE, parts[0], null, null) : null;
					default -> null;
				};
			case 2:
				if (parts[1].startsWith("$")) {
					return new BundleEntryRequest(RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, parts[0], null,
							parts[1]);
				}
				if ("_history".equals(parts[1])) {
					return get ? new BundleEntryRequest(RestOperationTypeEnum.HISTORY_TYPE, parts[0], null, null)
							: null;
				}
				if ("_search".equals(parts[1])) {
					return new BundleEntryRequest(RestOperationTypeEnum.SEARCH_TYPE, parts[0], null, null);
				}
				RestOperationTypeEnum onInstance = ON_INSTANCE.get(method);
				return (onInstance != null && !parts[1].isEmpty())
						? new BundleEntryRequest(onInstance, parts[0], parts[1], null) : null;
			case 3:
				if (parts[2].startsWith("$")) {
					return new BundleEntryRequest(RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE, parts[0], parts[1],
							parts[2]);
				}
				return ("_history".equals(parts[2]) && get)
						? new BundleEntryRequest(RestOperationTypeEnum.HISTORY_INSTANCE, parts[0], parts[1], null)
						: null;
			case 4:
				return ("_history".equals(parts[2]) && get)
						? new BundleEntryRequest(RestOperationTypeEnum.VREAD, parts[0], parts[1], null) : null;
			default:
				return null;
		}
	}

	/**
	 * Whether each segment of an entry URL's path is what its position allows: a type, an
	 * id or {@code _history}/{@code _search}, a version or an operation.
	 */
	private static boolean wellFormed(String[] parts) {
		for (int i = 0; i < parts.length; i++) {
			String part = parts[i];
			boolean ok = OPERATION.matcher(part).matches() || part.equals("_history") || part.equals("_search")
					|| ((i == 0) ? TYPE.matcher(part).matches() : ID.matcher(part).matches());
			if (!ok) {
				return false;
			}
		}
		return true;
	}

}
