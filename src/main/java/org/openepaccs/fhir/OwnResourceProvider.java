package org.openepaccs.fhir;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;

/**
 * Serves one resource type from storage of its own instead of HAPI's JPA storage: HAPI's
 * provider and (unless {@link #replacesStorage()} says otherwise) DAO for that type are
 * left out, so nothing (a transaction entry, say) can reach the type except through this
 * provider.
 */
public interface OwnResourceProvider extends IResourceProvider {

	/**
	 * The results behind a page id that one of this provider's searches issued (its
	 * results' {@link IBundleProvider#getUuid()}), or null if the id is not one of its.
	 * @param request the request for the page, whose caller may see only what the first
	 * page's caller could
	 */
	IBundleProvider resultPages(String pageId, RequestDetails request);

	/**
	 * Whether HAPI's storage of the type is left out too (the default), or only its REST
	 * provider, because HAPI itself needs the type's DAO (as its merge operation needs
	 * Provenance's). A type that keeps its storage must refuse client writes that reach
	 * it through transactions.
	 */
	default boolean replacesStorage() {
		return true;
	}

}
