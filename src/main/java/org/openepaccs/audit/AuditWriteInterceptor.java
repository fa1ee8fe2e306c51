package org.openepaccs.audit;

import java.time.Instant;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.security.Caller;
import org.openepaccs.security.Callers;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Audits every create, update and delete by a client in the same database transaction as
 * the write (also each entry of a transaction Bundle): the write and its audit event
 * commit together or not at all. Writes the server makes itself (installing the
 * conformance package) have no caller and are not audited.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class AuditWriteInterceptor implements FhirStorageInterceptor {

	/** Marks a request whose writes were audited here. */
	static final String STORED = AuditWriteInterceptor.class.getName() + ".stored";

	private final AuditStore store;

	private final RecordChanges changes;

	private final Callers callers;

	private final FhirContext fhirContext;

	AuditWriteInterceptor(AuditStore store, RecordChanges changes, Callers callers, FhirContext fhirContext) {
		this.store = store;
		this.changes = changes;
		this.callers = callers;
		this.fhirContext = fhirContext;
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		record("create", resource, request);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		record("update", resource, request);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource, RequestDetails request) {
		record("delete", resource, request);
	}

	private void record(String interaction, IBaseResource resource, RequestDetails request) {
		Caller caller = this.callers.current().orElse(null);
		if (caller == null) {
			return;
		}
		if (request != null) {
			request.getUserData().put(STORED, Boolean.TRUE);
		}
		AuditedResources involved = new AuditedResources(this.fhirContext).add(resource);
		RequestOrigin origin = RequestOrigin.of(request).withoutQuery();
		String reason = (resource instanceof org.hl7.fhir.r4.model.Consent) ? Callers.sharingDecisionReason() : null;
		this.store.append(AuditRecord.of(interaction, caller, "0", involved, origin,
				(reason != null) ? "sharing decision recorded for another organisation's person: " + reason : null));
		IIdType id = resource.getIdElement();
		if (id.hasIdPart()) {
			this.changes
				.append(new RecordChanges.Change(resource.fhirType() + "/" + id.getIdPart(), id.getVersionIdPart(),
						Instant.now(), interaction, involved.patients().isEmpty() ? null : involved.patients().get(0),
						caller.user(), caller.clientId(), (caller.role() != null) ? caller.role().claimValue() : null,
						caller.organisation(), origin.requestId()));
		}
	}

}
