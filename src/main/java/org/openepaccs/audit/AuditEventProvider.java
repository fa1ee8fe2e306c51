package org.openepaccs.audit;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;
import org.openepaccs.fhir.OwnResourceProvider;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * {@code AuditEvent} read and search, from {@link AuditStore}. There is no create, update
 * or delete: the trail is written only by the server, and nobody changes it through the
 * API.
 */
@Component
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class AuditEventProvider implements OwnResourceProvider {

	private final AuditStore store;

	AuditEventProvider(AuditStore store) {
		this.store = store;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return AuditEvent.class;
	}

	@Read
	public AuditEvent read(@IdParam IdType id) {
		return this.store.read(id.getIdPart())
			.orElseThrow(() -> new ResourceNotFoundException("AuditEvent/" + id.getIdPart() + " is not known"));
	}

	@Search
	public IBundleProvider search(@OptionalParam(name = AuditEvent.SP_PATIENT) ReferenceParam patient,
			@OptionalParam(name = AuditEvent.SP_ENTITY) ReferenceParam entity,
			@OptionalParam(name = AuditEvent.SP_DATE) DateRangeParam date,
			@OptionalParam(name = AuditEvent.SP_SUBTYPE) TokenParam subtype,
			@OptionalParam(name = AuditEvent.SP_OUTCOME) TokenParam outcome,
			@OptionalParam(name = AuditEvent.SP_ALTID) TokenParam client,
			@OptionalParam(name = AuditEvent.SP_SOURCE) ReferenceParam source, @Sort SortSpec sort) {
		boolean oldestFirst = false;
		if (sort != null) {
			if (!AuditEvent.SP_DATE.equals(sort.getParamName()) || sort.getChain() != null) {
				throw new InvalidRequestException("AuditEvent can be sorted by date only (_sort=date or _sort=-date)");
			}
			oldestFirst = sort.getOrder() != SortOrderEnum.DESC;
		}
		AuditQuery query = new AuditQuery(PlainReference.of("AuditEvent", patient, "Patient", AuditEvent.SP_PATIENT),
				PlainReference.of("AuditEvent", entity, null, AuditEvent.SP_ENTITY),
				(date != null) ? instant(date.getLowerBoundAsInstant()) : null,
				(date != null) ? instant(date.getUpperBoundAsInstant()) : null, code(subtype), code(outcome),
				code(client), requestId(source), oldestFirst);
		return new AuditSearchResults(this.store, query);
	}

	@Override
	public IBundleProvider resultPages(String pageId, RequestDetails request) {
		return AuditQuery.ofPageId(pageId).map((query) -> new AuditSearchResults(this.store, query)).orElse(null);
	}

	/**
	 * The request id, which is the identifier of the event's {@code source.observer}:
	 * {@code source:identifier=<X-Request-ID>}.
	 */
	private static String requestId(ReferenceParam source) {
		if (source == null) {
			return null;
		}
		// HAPI reads the ':identifier' modifier of a reference as if it named a type
		if (!"identifier".equals(source.getResourceType()) && !"identifier".equals(source.getChain())) {
			throw new InvalidRequestException(
					"AuditEvent search parameter 'source' takes the request id, as source:identifier=<request id>");
		}
		return source.getIdPart();
	}

	private static String code(TokenParam param) {
		return (param != null && param.getValue() != null && !param.getValue().isBlank()) ? param.getValue() : null;
	}

	private static java.time.Instant instant(java.util.Date date) {
		return (date != null) ? date.toInstant() : null;
	}

}
