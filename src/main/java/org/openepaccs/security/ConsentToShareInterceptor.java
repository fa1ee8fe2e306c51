package org.openepaccs.security;

import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.i18n.Msg;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.util.FhirTerser;
import ca.uhn.fhir.util.ResourceReferenceInfo;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.openepaccs.common.PlanSummaryNames;
import org.openepaccs.common.Systems;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Consent to share: when a person has refused sharing, only the organisation that
 * recorded the refusal sees their records; everyone else gets nothing of them, in reads,
 * searches, includes, history or operations, unless a clinician breaks the glass (the
 * {@code X-Break-Glass} header with a reason, or an emergency-treatment purpose of use in
 * the token), which is audited and marked on the response. Searches leave them out in the
 * query itself (security labels, {@link RefusalLabels}), so pages are full and totals
 * count only what the caller may see.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class ConsentToShareInterceptor implements FhirServerInterceptor {

	static final String BREAK_GLASS_RESPONSE_HEADER = "X-Break-Glass-Used";

	/**
	 * Request data: the custodians to tell of a sharing decision another organisation's
	 * clinician recorded.
	 */
	private static final String CUSTODIANS_TO_TELL = ConsentToShareInterceptor.class.getName() + ".custodians";

	/** Request data: the id of the refusal Consent that named the custodians. */
	private static final String REFUSAL_TO_REVIEW = ConsentToShareInterceptor.class.getName() + ".refusal";

	/** Operations that show one person's record, answered as a read of them would be. */
	static final Set<String> ONE_PERSON_OPERATIONS = Set.of(PlanSummaryNames.OPERATION, "$everything");

	private final Callers callers;

	private final ConsentDirectory directory;

	private final FhirTerser terser;

	private final DaoRegistry daoRegistry;

	private final PeopleOfRecords people;

	private final FhirContext fhirContext;

	private final HiddenReferenceTargets hiddenTargets;

	ConsentToShareInterceptor(Callers callers, ConsentDirectory directory, FhirContext fhirContext,
			DaoRegistry daoRegistry, PeopleOfRecords people, ISearchParamExtractor searchParamExtractor) {
		this.callers = callers;
		this.directory = directory;
		this.terser = fhirContext.newTerser();
		this.daoRegistry = daoRegistry;
		this.people = people;
		this.fhirContext = fhirContext;
		this.hiddenTargets = new HiddenReferenceTargets(searchParamExtractor, daoRegistry, people, directory);
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
			throw refusal(caller.get(), request, "Patient/" + request.getId().getIdPart());
		}
	}

	/**
	 * A change to one resource (patch, update, delete) of a person hidden from the caller
	 * is answered as a read of it would be, before the change is worked out: a patch's
	 * {@code test} operation or its result must not tell anything about the stored
	 * resource.
	 */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -9)
	public void refuseChangesToHiddenResources(RequestDetails request) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if ((operation != RestOperationTypeEnum.PATCH && operation != RestOperationTypeEnum.UPDATE
				&& operation != RestOperationTypeEnum.DELETE) || request.getId() == null || !request.getId().hasIdPart()
				|| request.getResourceName() == null) {
			return;
		}
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty() || caller.get().breaksTheGlass()
				|| !this.directory.anyHiddenFrom(caller.get().organisation())
				|| AccessPolicy.categoryOf(request.getResourceName()) != AccessPolicy.Category.CLINICAL) {
			return;
		}
		IBaseResource stored;
		try {
			stored = this.daoRegistry.getResourceDao(request.getResourceName())
				.read(new IdType(request.getResourceName(), request.getId().getIdPart()), new SystemRequestDetails());
		}
		catch (BaseServerResponseException ex) {
			return; // not there: HAPI answers as it does for anyone
		}
		if (isHiddenFrom(stored, caller.get())) {
			String requested = request.getResourceName() + "/" + request.getId().getIdPart();
			if (operation == RestOperationTypeEnum.UPDATE && !caller.get().isClinical()) {
				// what a PUT to an id that is not stored gets: update-as-create is not
				// offered on people's records (AccessGate)
				throw AccessGate.noClientAssignedIds(this.fhirContext, request.getId().getIdPart());
			}
			if (operation == RestOperationTypeEnum.DELETE && !caller.get().isClinical()) {
				if (request instanceof ServletRequestDetails servlet && servlet.getServletResponse() != null) {
					servlet.getServletResponse()
						.setHeader("Content-Location", request.getFhirServerBase() + "/" + requested);
				}
				throw nothingDeleted(requested);
			}
			throw refusal(caller.get(), request, requested);
		}
	}

	/**
	 * What HAPI answers to a delete of a resource that is not there: 200 with an
	 * informational outcome, nothing deleted.
	 */
	private static BaseServerResponseException nothingDeleted(String requested) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
			.setCode(OperationOutcome.IssueType.INFORMATIONAL)
			.setDetails(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(
					"https://hapifhir.io/fhir/CodeSystem/hapi-fhir-storage-response-code",
					"SUCCESSFUL_DELETE_NOT_FOUND",
					"Delete succeeded: No existing resource was found so no action was taken.")))
			.setDiagnostics("Not deleted, resource " + requested + " does not exist.");
		return new BaseServerResponseException(200, "Not deleted, resource " + requested + " does not exist.",
				outcome) {
			private static final long serialVersionUID = 1L;

		};
	}

	/**
	 * Writing into the record of a person who refused to share is for the organisation
	 * that recorded the refusal, or a clinician breaking the glass; anyone else is
	 * answered as if the person were not here. A clinician of another organisation may
	 * record the person's new sharing decision only as a deliberate act
	 * ({@link Callers#SHARING_DECISION_HEADER} with a reason), which is audited.
	 */
	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = -200)
	public void refuseWritesIntoHiddenRecords(IBaseResource resource, RequestDetails request) {
		refuseWriteOf(resource, request);
		refuseReferencesToHiddenRecords(resource, request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = -200)
	public void refuseUpdatesOfHiddenRecords(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		Optional<Caller> caller = this.callers.current();
		if (request instanceof ServletRequestDetails && previous != null && caller.isPresent()
				&& !caller.get().breaksTheGlass() && !caller.get().isClinical()
				&& AccessPolicy.categoryOf(previous.fhirType()) == AccessPolicy.Category.CLINICAL
				&& isHiddenFrom(previous, caller.get())) {
			// an update of a hidden record (a transaction entry, a conditional update) is
			// answered as one of an id that is not stored
			throw AccessGate.noClientAssignedIds(this.fhirContext, previous.getIdElement().getIdPart());
		}
		refuseWriteOf(previous, request);
		refuseWriteOf(resource, request);
		refuseReferencesToHiddenRecords(resource, request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED, order = -200)
	public void refuseDeletesInHiddenRecords(IBaseResource resource, RequestDetails request) {
		refuseWriteOf(resource, request);
	}

	private void refuseWriteOf(IBaseResource resource, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails) || resource == null
				|| AccessPolicy.categoryOf(resource.fhirType()) != AccessPolicy.Category.CLINICAL) {
			return; // the server's own writes (death recording, flags) follow a client's
		}
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty() || caller.get().breaksTheGlass()) {
			return;
		}
		for (String patient : this.people.patientsOf(resource)) {
			Set<String> custodians = this.directory.custodiansIfRefused(patient);
			if (custodians == null
					|| (caller.get().organisation() != null && custodians.contains(caller.get().organisation()))) {
				continue;
			}
			if (resource instanceof Consent && caller.get().isClinical() && Callers.sharingDecisionReason() != null) {
				// the person told this clinician: a deliberate, audited act, which the
				// custodians are told of
				request.getUserData().put(CUSTODIANS_TO_TELL, custodians);
				request.getUserData().put(REFUSAL_TO_REVIEW, this.directory.latestDecision(patient));
				continue;
			}
			if (caller.get().isClinical()) {
				throw refusal(caller.get(), request, "Patient/" + patient);
			}
			throw notFound("Patient/" + patient, referencePath(resource, patient));
		}
	}

	/**
	 * A write that refers to a hidden record outside the person's own compartment (a
	 * visible person's Observation whose focus is the hidden person or their relative) is
	 * answered as one that refers to nothing, or to a clinician as restricted: accepting
	 * it would tell the writer the record exists.
	 */
	private void refuseReferencesToHiddenRecords(IBaseResource resource, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails) || resource == null
				|| AccessPolicy.categoryOf(resource.fhirType()) != AccessPolicy.Category.CLINICAL) {
			return;
		}
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty() || caller.get().breaksTheGlass()) {
			return;
		}
		Set<String> decided = new HashSet<>();
		this.people.patientsOf(resource).forEach((patient) -> decided.add("Patient/" + patient));
		Optional<HiddenReferenceTargets.Hidden> hidden = this.hiddenTargets.first(resource, caller.get().organisation(),
				decided, request);
		if (hidden.isPresent()) {
			if (caller.get().isClinical()) {
				throw refusal(caller.get(), request, hidden.get().target());
			}
			throw notFound(hidden.get().target(), hidden.get().path());
		}
	}

	/** HAPI's answer to a reference to a resource that is not stored. */
	private static InvalidRequestException notFound(String target, String path) {
		return new InvalidRequestException(
				Msg.code(1094) + "Resource " + target + " not found, specified in path: " + path);
	}

	/**
	 * The element that refers to the person, as HAPI names it for a missing reference:
	 * the path of the search parameter that indexes it, or the element where none does.
	 */
	private String referencePath(IBaseResource resource, String patient) {
		String indexed = this.hiddenTargets.pathTo(resource, "Patient/" + patient);
		if (indexed != null) {
			return indexed;
		}
		for (ResourceReferenceInfo reference : this.terser.getAllResourceReferences(resource)) {
			IIdType target = reference.getResourceReference().getReferenceElement();
			if ("Patient".equals(target.getResourceType()) && patient.equals(target.getIdPart())) {
				return resource.fhirType() + "." + reference.getName();
			}
		}
		return resource.fhirType() + ".subject";
	}

	/**
	 * A sharing decision recorded by another organisation's clinician leaves each
	 * custodian a task in the same transaction, owned by its ODS code: its systems find
	 * it among the person's Tasks ({@code Task?patient=}), or hear of it through a
	 * Subscription on them, and review the decision with the person.
	 */
	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void tellCustodiansOfDecision(IBaseResource resource, RequestDetails request) {
		if (!(resource instanceof Consent consent) || request == null
				|| !(request.getUserData().remove(CUSTODIANS_TO_TELL) instanceof Set<?> custodians)) {
			return;
		}
		String organisation = this.callers.current().map(Caller::organisation).orElse(null);
		Task task = new Task();
		task.setStatus(Task.TaskStatus.REQUESTED);
		task.setIntent(Task.TaskIntent.PROPOSAL);
		task.setFor(consent.getPatient().copy());
		task.setFocus(new Reference("Consent/" + consent.getIdElement().getIdPart()));
		task.setAuthoredOn(new Date());
		task.setDescription("The person told a clinician of another organisation (" + organisation
				+ ") of a new decision on sharing their record; review it with them. Reason given: "
				+ Callers.sharingDecisionReason());
		if (organisation != null) {
			task.getRequester().setIdentifier(new Identifier().setSystem(Systems.ODS).setValue(organisation));
		}
		Object refusal = request.getUserData().remove(REFUSAL_TO_REVIEW);
		for (Object custodian : custodians) {
			Task forCustodian = task.copy();
			forCustodian.getOwner()
				.setIdentifier(new Identifier().setSystem(Systems.ODS).setValue(custodian.toString()));
			// the custodian's Organization too, as the refusal named it: its review
			// worklist and Subscriptions (Task?owner=Organization/{id}) find the task by
			// it, where HAPI cannot search a reference's identifier
			String owner = custodianOrganisation(refusal, custodian.toString());
			if (owner != null) {
				forCustodian.getOwner().setReference(owner);
			}
			this.daoRegistry.getResourceDao(Task.class).create(forCustodian, new SystemRequestDetails());
		}
	}

	/**
	 * The Organization (as {@code Organization/{id}}) with this ODS code that the refusal
	 * names, or null. The refusal is read by its id: a search of the person's Consents
	 * here would load the one being created within its own transaction.
	 */
	private String custodianOrganisation(Object refusalId, String ods) {
		if (!(refusalId instanceof String id)) {
			return null;
		}
		Consent refusal;
		try {
			refusal = this.daoRegistry.getResourceDao(Consent.class)
				.read(new IdType("Consent", id), new SystemRequestDetails());
		}
		catch (BaseServerResponseException ex) {
			return null; // gone since: the task keeps the ODS code alone
		}
		for (Reference organisation : refusal.getOrganization()) {
			if (!organisation.hasReference()) {
				continue;
			}
			try {
				Organization named = this.daoRegistry.getResourceDao(Organization.class)
					.read(organisation.getReferenceElement().toUnqualifiedVersionless(), new SystemRequestDetails());
				if (named.getIdentifier()
					.stream()
					.anyMatch((identifier) -> Systems.ODS.equals(identifier.getSystem())
							&& ods.equals(identifier.getValue()))) {
					return "Organization/" + named.getIdElement().getIdPart();
				}
			}
			catch (BaseServerResponseException ex) {
				// gone since: the task keeps the ODS code alone
			}
		}
		return null;
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
					throw refusal(caller.get(), request, requested(request, resource));
				}
				if (operation == RestOperationTypeEnum.HISTORY_TYPE
						|| operation == RestOperationTypeEnum.HISTORY_SYSTEM) {
					// a history Bundle cannot leave versions out; the access gate
					// refuses history across people's records before it runs
					throw new ForbiddenOperationException("History across records is not offered here");
				}
				shown.setResource(i, null);
			}
		}
	}

	private boolean isHiddenFrom(IBaseResource resource, Caller caller) {
		if (AccessPolicy.categoryOf(resource.fhirType()) == AccessPolicy.Category.AUDIT) {
			return false; // who looked at a refused record is what a privacy officer must
							// see
		}
		return this.people.patientsOf(resource)
			.stream()
			.anyMatch((patient) -> this.directory.isHiddenFrom(patient, caller.organisation()));
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
		// a read (on its own or as a batch entry) shows only the resource asked for
		return request != null && (request.getRestOperationType() == RestOperationTypeEnum.READ
				|| request.getRestOperationType() == RestOperationTypeEnum.VREAD);
	}

	/** The resource the caller asked for, as they named it. */
	private static String requested(RequestDetails request, IBaseResource resource) {
		if (request != null && request.getId() != null && request.getId().hasIdPart()
				&& request.getResourceName() != null && request.getOperation() == null) {
			return request.getResourceName() + "/" + request.getId().getIdPart();
		}
		return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
	}

	/**
	 * A clinician learns that a restricted record exists, so that they can break the
	 * glass in an emergency; anyone else gets exactly what HAPI answers for a resource
	 * that is not there (a plan summary by NHS number: what it answers for a number not
	 * known here).
	 */
	static RuntimeException refusal(Caller caller, RequestDetails request, String requested) {
		if (!caller.isClinical()) {
			if (request != null && PlanSummaryNames.OPERATION.equals(request.getOperation())
					&& (request.getId() == null || !request.getId().hasIdPart())) {
				return new ResourceNotFoundException(PlanSummaryNames.NO_SUCH_NHS_NUMBER);
			}
			if (request != null && "$everything".equals(request.getOperation())) {
				// HAPI's own words for $everything on a person who is not there
				return new ResourceNotFoundException(Msg.code(2841) + "Resource [[TokenParam[system=,value="
						+ requested.substring(requested.indexOf('/') + 1) + "]]] is not known.");
			}
			return new ResourceNotFoundException(Msg.code(2001) + "Resource " + requested + " is not known");
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
