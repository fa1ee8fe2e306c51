package org.openepaccs.fhir;

import java.util.List;

import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IPagingProvider;

/**
 * HAPI's database-backed paging, plus the stateless page ids of the
 * {@link OwnResourceProvider}s: their searches name their query in the page id, so the
 * next page needs nothing stored.
 */
final class ResultPages implements IPagingProvider {

	private final DatabaseBackedPagingProvider jpa;

	private final List<OwnResourceProvider> ownProviders;

	ResultPages(DatabaseBackedPagingProvider jpa, List<OwnResourceProvider> ownProviders) {
		this.jpa = jpa;
		this.ownProviders = ownProviders;
	}

	@Override
	public int getDefaultPageSize() {
		return this.jpa.getDefaultPageSize();
	}

	@Override
	public int getMaximumPageSize() {
		return this.jpa.getMaximumPageSize();
	}

	@Override
	public boolean canStoreSearchResults() {
		return this.jpa.canStoreSearchResults();
	}

	@Override
	public IBundleProvider retrieveResultList(RequestDetails request, String pageId) {
		for (OwnResourceProvider provider : this.ownProviders) {
			IBundleProvider results = provider.resultPages(pageId, request);
			if (results != null) {
				return results;
			}
		}
		return this.jpa.retrieveResultList(request, pageId);
	}

	@Override
	public IBundleProvider retrieveResultList(RequestDetails request, String searchId, String pageId) {
		return this.jpa.retrieveResultList(request, searchId, pageId);
	}

	@Override
	public String storeResultList(RequestDetails request, IBundleProvider results) {
		return this.jpa.storeResultList(request, results);
	}

}
