package org.openepaccs.security;

import java.util.Optional;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.openepaccs.server.FhirServerInterceptor;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Consent to share: when a person has refused sharing, only the organisation that
 * recorded the refusal sees their records; everyone else gets nothing of them, in reads,
 * searches, includes, history or operations, unless a clinician breaks the glass (the
 * {@code X-Break-Glass} header with a reason, or an emergency-treatment purpose of use in
 * the token), which is audited and marked on the response. Search totals are left out
 * while any refusal could apply to the caller, so that a count cannot reveal that a
 * hidden person exists.
 */
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class ConsentToShareInterceptor implements FhirServerInterceptor {

	static final String BREAK_GLASS_RESPONSE_HEADER = "X-Break-Glass-Used";

	/** Operations that show one person's record, answered as a read of them would be. */
	private static final Set<String> ONE_PERSON_OPERATIONS = Set.of("$epaccs-summary");

	private final Callers callers;

	private final ConsentDirectory directory;

	private final FhirTerser terser;

	ConsentToShareInterceptor(Callers callers, ConsentDirectory directory, FhirContext fhirContext) {
		this.callers = callers;
		this.directory = directory;
		this.terser = fhirContext.newTerser();
	}

	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -20)
	public void breakTheGlass(RequestDetails request) {
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty() || !caller.get().breaksTheGlass()) {
			return;
		}
		if (!caller.get().isClinical()) {
			OperationOutcome outcome = new OperationOutcome();
			outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(OperationOutcome.IssueType.FORBIDDEN)
				.setDiagnostics("Access denied: only clinicians (roles clinician and ooh-clinician) may break the "
						+ "glass, not the role "
						+ ((caller.get().role() != null) ? caller.get().role().claimValue() : "(none)"));
			throw new ForbiddenOperationException("Access denied: break-glass is for clinical roles only", outcome);
		}
		if (request instanceof ServletRequestDetails servlet && servlet.getServletResponse() != null) {
			servlet.getServletResponse().setHeader(BREAK_GLASS_RESPONSE_HEADER, "true");
		}
	}

	/**
	 * An operation on one person's record ({@code Patient/{id}/$everything}, the plan
	 * summary) is answered as a read of that person would be, rather than with an empty
	 * result that a clinician could take for "no plan".
	 */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -10)
	public void refuseOperationsOnHiddenPeople(RequestDetails request) {
		if (request.getRestOperationType() != RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE
				|| request.getId() == null || !"Patient".equals(request.getResourceName())) {
			return;
		}
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty() || caller.get().breaksTheGlass()) {
			return;
		}
		Set<String> custodians = this.directory.custodiansIfRefused(request.getId().getIdPart());
		if (custodians != null
				&& (caller.get().organisation() == null || !custodians.contains(caller.get().organisation()))) {
			throw refusal(caller.get());
		}
	}

	@Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
	public void hideRefused(IPreResourceShowDetails shown, RequestDetails request) {
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty() || caller.get().breaksTheGlass()
				|| !this.directory.anyHiddenFrom(caller.get().organisation())) {
			return;
		}
		for (int i = 0; i < shown.size(); i++) {
			IBaseResource resource = shown.getResource(i);
			if (resource != null && isHiddenFrom(resource, caller.get())) {
				RestOperationTypeEnum operation = (request != null) ? request.getRestOperationType() : null;
				if (isReadOf(request, resource) || operation == RestOperationTypeEnum.HISTORY_INSTANCE) {
					throw refusal(caller.get());
				}
				if (operation == RestOperationTypeEnum.HISTORY_TYPE
						|| operation == RestOperationTypeEnum.HISTORY_SYSTEM) {
					// a history Bundle cannot leave versions out
					throw new ForbiddenOperationException("History across records includes people who have refused "
							+ "to share with your organisation; search, or read one record's history, instead");
				}
				shown.setResource(i, null);
			}
		}
	}

	/**
	 * A search's total counts matches before hidden people are left out, so it goes. The
	 * audit trail hides nobody, and operations (the review worklist) count what they
	 * show.
	 */
	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean withoutRevealingTotals(RequestDetails request, IBaseResource response) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation != RestOperationTypeEnum.SEARCH_TYPE && operation != RestOperationTypeEnum.SEARCH_SYSTEM
				&& operation != RestOperationTypeEnum.GET_PAGE) {
			return true;
		}
		if (request.getResourceName() != null
				&& AccessPolicy.categoryOf(request.getResourceName()) == AccessPolicy.Category.AUDIT) {
			return true;
		}
		if (response instanceof Bundle bundle && bundle.getType() == Bundle.BundleType.SEARCHSET && bundle.hasTotal()) {
			Optional<Caller> caller = this.callers.current();
			// a patient/ scope's searches are confined to its own patient: nobody to hide
			if (caller.isPresent() && !caller.get().breaksTheGlass() && caller.get().patient() == null
					&& this.directory.anyHiddenFrom(caller.get().organisation())) {
				bundle.setTotalElement(null);
			}
		}
		return true;
	}

	private boolean isHiddenFrom(IBaseResource resource, Caller caller) {
		if (AccessPolicy.categoryOf(resource.fhirType()) == AccessPolicy.Category.AUDIT) {
			return false; // who looked at a refused record is what a privacy officer must
							// see
		}
		for (String patient : patientsOf(resource)) {
			Set<String> custodians = this.directory.custodiansIfRefused(patient);
			if (custodians != null && (caller.organisation() == null || !custodians.contains(caller.organisation()))) {
				return true;
			}
		}
		return false;
	}

	private Set<String> patientsOf(IBaseResource resource) {
		if (resource instanceof Patient patient) {
			return Set.of(patient.getIdElement().getIdPart());
		}
		Set<String> patients = new java.util.HashSet<>();
		for (IIdType owner : this.terser.getCompartmentOwnersForResource("Patient", resource, Set.of())) {
			patients.add(owner.getIdPart());
		}
		return patients;
	}

	/**
	 * A read of the resource itself, or of the person whose plan summary was asked for
	 * (by NHS number, so the person is known only once the operation has found them).
	 */
	private static boolean isReadOf(RequestDetails request, IBaseResource resource) {
		if (request != null && resource instanceof Patient && request.getOperation() != null
				&& ONE_PERSON_OPERATIONS.contains(request.getOperation())) {
			return true;
		}
		return request != null
				&& (request.getRestOperationType() == RestOperationTypeEnum.READ
						|| request.getRestOperationType() == RestOperationTypeEnum.VREAD)
				&& request.getId() != null && resource.getIdElement().getIdPart() != null
				&& resource.getIdElement().getIdPart().equals(request.getId().getIdPart());
	}

	/**
	 * A clinician learns that a restricted record exists, so that they can break the
	 * glass in an emergency; anyone else is told nothing beyond "not found".
	 */
	private static RuntimeException refusal(Caller caller) {
		if (!caller.isClinical()) {
			return new ResourceNotFoundException("Resource not found");
		}
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(OperationOutcome.IssueType.SUPPRESSED)
			.setDiagnostics("This person has refused to share their record with your organisation. In an "
					+ "emergency, repeat the request with the header " + Callers.BREAK_GLASS_HEADER
					+ ": <reason>; the access is audited");
		return new ForbiddenOperationException("Restricted by the person's consent to share", outcome);
	}

}
