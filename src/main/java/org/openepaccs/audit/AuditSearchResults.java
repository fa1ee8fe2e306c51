package org.openepaccs.audit;

import java.util.Date;
import java.util.List;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;

/**
 * The results of an AuditEvent search, read page by page from {@link AuditStore}; its
 * uuid is the stateless page id of {@link AuditQuery#pageId()}.
 */
final class AuditSearchResults implements IBundleProvider {

	private final AuditStore store;

	private final AuditQuery query;

	private final InstantType published = InstantType.now();

	private Integer size;

	AuditSearchResults(AuditStore store, AuditQuery query) {
		this.store = store;
		this.query = query;
	}

	@Override
	public List<IBaseResource> getResources(int fromIndex, int toIndex) {
		return List.copyOf(this.store.search(this.query, fromIndex, Math.max(0, toIndex - fromIndex)));
	}

	@Override
	public String getUuid() {
		return this.query.pageId();
	}

	@Override
	public Integer size() {
		if (this.size == null) {
			this.size = this.store.count(this.query);
		}
		return this.size;
	}

	@Override
	public IPrimitiveType<Date> getPublished() {
		return this.published;
	}

	@Override
	public Integer preferredPageSize() {
		return null;
	}

}
