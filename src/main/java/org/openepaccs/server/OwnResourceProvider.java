package org.openepaccs.server;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.server.IResourceProvider;

/**
 * Serves one resource type from storage of its own instead of HAPI's JPA storage: HAPI's
 * provider and DAO for that type are left out, so nothing (a transaction entry, say) can
 * reach the type except through this provider.
 */
public interface OwnResourceProvider extends IResourceProvider {

	/**
	 * The results behind a page id that one of this provider's searches issued (its
	 * results' {@link IBundleProvider#getUuid()}), or null if the id is not one of its.
	 */
	IBundleProvider resultPages(String pageId);

}
