package org.openepaccs.common;

import java.util.Map;

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

}
