package org.openepaccs.audit;

import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.common.BundleEntryRequest;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.security.Callers;
import org.openepaccs.security.TokenRefused;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Audits what the FHIR layer answers: every read, search, history and operation before
 * its response is written, and every refused or failed request. Successful writes are
 * audited inside their own database transaction by {@link AuditWriteInterceptor}.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class AuditInterceptor implements FhirServerInterceptor {

	private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);

	/** Audited where they are stored, with the write, when they store anything. */
	private static final Set<RestOperationTypeEnum> WRITES = Set.of(RestOperationTypeEnum.CREATE,
			RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.PATCH, RestOperationTypeEnum.DELETE,
			RestOperationTypeEnum.TRANSACTION, RestOperationTypeEnum.BATCH);

	private final AuditStore store;

	private final Callers callers;

	private final FhirContext fhirContext;

	AuditInterceptor(AuditStore store, Callers callers, FhirContext fhirContext) {
		this.store = store;
		this.callers = callers;
		this.fhirContext = fhirContext;
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean answered(RequestDetails request, IBaseResource response) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation == null || operation == RestOperationTypeEnum.METADATA) {
			return true;
		}
		if ((operation == RestOperationTypeEnum.TRANSACTION || operation == RestOperationTypeEnum.BATCH)
				&& request.getResource() instanceof Bundle sent && response instanceof Bundle answered
				&& recordEntries(request, sent, answered)) {
			return true;
		}
		if (WRITES.contains(operation) && request.getUserData().containsKey(AuditWriteInterceptor.STORED)) {
			return true;
		}
		// a write that stored nothing (an update with the same content, a conditional
		// create that found its match) is still an interaction to account for
		AuditedResources involved = new AuditedResources(this.fhirContext).add(response);
		if (request.getId() != null) {
			involved.addRequested(request.getResourceName(), request.getId().getIdPart());
		}
		record(request, interactionOf(operation), AuditEventOutcome._0, involved, exportDetail(request));
		return true;
	}

	/**
	 * What a bulk export request was, for its event: its kick-off (the Group names the
	 * practice), poll or cancel, and the export's id. Its files are read as Binaries,
	 * audited as reads. Null for any other request.
	 */
	static String exportDetail(RequestDetails request) {
		String operation = request.getOperation();
		if (!"$export".equals(operation) && !"$export-poll-status".equals(operation)) {
			return null;
		}
		String what = "$export".equals(operation) ? "bulk export kick-off"
				: (request.getRequestType() == RequestTypeEnum.DELETE) ? "bulk export cancel" : "bulk export poll";
		String[] job = request.getParameters().get("_jobId");
		return what + " " + ((request.getResourceName() != null) ? request.getResourceName() + "/" : "") + operation
				+ ((job != null && job.length == 1) ? " _jobId=" + job[0] : "");
	}

	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean failed(RequestDetails request, BaseServerResponseException failure) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation == RestOperationTypeEnum.METADATA) {
			return true;
		}
		if (failure.getStatusCode() == 503 && failure.getResponseHeaders().containsKey("Retry-After")) {
			// the database is away, so there is nowhere to store the event, and trying
			// would keep the client waiting a second connection timeout for its answer;
			// nothing was read or changed
			return true;
		}
		AuditedResources involved = new AuditedResources(this.fhirContext);
		if (request.getId() != null) {
			involved.addRequested(request.getResourceName(), request.getId().getIdPart());
		}
		String detail = failure.getStatusCode() + " " + failure.getClass().getSimpleName();
		if (request.getUserData().get(NhsNumber.DISCLOSED_HOLDER) instanceof String holder) {
			// the refusal told the writer that this person's NHS number is recorded here
			involved.addRequested("Patient", holder.substring("Patient/".length()));
			detail += ": told the writer that a Patient with this NHS number is recorded here";
		}
		AuditEventOutcome outcome = (failure.getStatusCode() >= 500) ? AuditEventOutcome._8 : AuditEventOutcome._4;
		try {
			record(request, interactionOf(operation), outcome, involved, detail);
		}
		catch (DataAccessException ex) {
			// the database is unreachable (often the very failure being answered): the
			// client still gets its answer; nothing was read or changed to be audited
			log.warn("The audit event of a failed request could not be stored: {}", ex.getClass().getSimpleName());
		}
		return true;
	}

	/**
	 * Each read, search or operation entry of a batch or transaction is recorded as the
	 * interaction it is, with the resources and people its answer named, as it would be
	 * on its own; writes are recorded where they are stored. True when that accounts for
	 * the whole bundle.
	 */
	private boolean recordEntries(RequestDetails request, Bundle sent, Bundle answered) {
		boolean readsOnly = true;
		for (int i = 0; i < sent.getEntry().size(); i++) {
			Bundle.BundleEntryRequestComponent asked = sent.getEntry().get(i).getRequest();
			if (asked.getMethod() != Bundle.HTTPVerb.GET && asked.getMethod() != Bundle.HTTPVerb.HEAD) {
				readsOnly = false;
				continue;
			}
			BundleEntryRequest entry = (asked.getUrl() != null)
					? BundleEntryRequest.parse(asked.getMethod(), asked.getUrl()) : null;
			AuditedResources involved = new AuditedResources(this.fhirContext);
			Bundle.BundleEntryComponent answer = (i < answered.getEntry().size()) ? answered.getEntry().get(i) : null;
			if (answer != null && answer.hasResource() && !(answer.getResource() instanceof OperationOutcome)) {
				involved.add(answer.getResource());
			}
			if (entry != null && entry.id() != null) {
				involved.addRequested(entry.type(), entry.id());
			}
			String status = (answer != null && answer.hasResponse()) ? answer.getResponse().getStatus() : "";
			AuditEventOutcome outcome = (status.startsWith("2") || status.startsWith("3")) ? AuditEventOutcome._0
					: status.startsWith("5") ? AuditEventOutcome._8 : AuditEventOutcome._4;
			record(request, interactionOf((entry != null) ? entry.interaction() : null), outcome, involved,
					"Bundle.entry[" + i + "]" + ((outcome != AuditEventOutcome._0) ? " " + status : ""));
		}
		return readsOnly || request.getUserData().containsKey(AuditWriteInterceptor.STORED);
	}

	/** A request refused before the FHIR layer: no token, a bad one, or denied. */
	@EventListener
	public void refusedBeforeFhir(TokenRefused refused) {
		this.store.append(AuditRecord.of("operation", null, "4", new AuditedResources(this.fhirContext),
				new RequestOrigin(null, refused.address(), refused.requestId()),
				refused.status() + " " + refused.method() + " " + refused.path() + ": " + refused.reason()));
	}

	private void record(RequestDetails request, String interaction, AuditEventOutcome outcome,
			AuditedResources involved, String detail) {
		this.store.append(AuditRecord.of(interaction, this.callers.current().orElse(null), outcome.toCode(), involved,
				RequestOrigin.of(request), detail));
	}

	static String interactionOf(RestOperationTypeEnum operation) {
		if (operation == null) {
			return "operation";
		}
		return switch (operation) {
			case READ -> "read";
			case VREAD -> "vread";
			case SEARCH_TYPE, GET_PAGE -> "search-type";
			case SEARCH_SYSTEM -> "search-system";
			case HISTORY_INSTANCE -> "history-instance";
			case HISTORY_TYPE -> "history-type";
			case HISTORY_SYSTEM -> "history-system";
			case CREATE -> "create";
			case UPDATE -> "update";
			case PATCH -> "patch";
			case DELETE -> "delete";
			case TRANSACTION -> "transaction";
			case BATCH -> "batch";
			default -> "operation";
		};
	}

}
