package org.openepaccs.records;

import org.openepaccs.common.NhsNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CarePlan.CarePlanStatus;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.EpisodeOfCare.EpisodeOfCareStatus;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.conformance.WriteWarnings;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.fhir.InternalSearch;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The NHS number policy. The out-of-hours clinician finds a person's plan by NHS number
 * (the summary lookup and {@code Patient?identifier=}): a plan whose person has no NHS
 * number is stored but can never be found at 3 a.m., and the clinician acts as if there
 * were no plan (resuscitation against a recorded DNACPR decision, admission against a
 * preferred place of death). So:
 * <ul>
 * <li>a palliative care register entry or an advance care plan that is in force (not
 * finished, cancelled, completed, revoked or entered in error) is refused with 422 unless
 * its person is a stored Patient with a valid NHS number, in the same transaction or
 * before;</li>
 * <li>a Patient without an NHS number is accepted (a person is recorded before PDS traces
 * them, and refusing them loses what is known) with a warning in the answer that the
 * out-of-hours lookup cannot find them until one is added ({@link WriteWarnings});</li>
 * <li>an update that takes the NHS number away from a person with a register entry or
 * advance care plan in force is refused, as it would hide that plan.</li>
 * </ul>
 * Records that are no longer in force are not checked, so that closing or withdrawing a
 * record made before this rule is never blocked; nor are the server's own writes, which
 * only change records already accepted (closing a register entry at death).
 * <p>
 * The checks run before commit: by then a transaction's Patients are stored and its
 * references point at them, so a Patient sent beside its register entry counts.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class NhsNumberPolicy implements FhirStorageInterceptor {

	static final String NO_NHS_NUMBER_WARNING = "This Patient has no NHS number (an identifier with the system "
			+ NhsNumber.SYSTEM + "): the out-of-hours lookup by NHS number cannot find this person until one is"
			+ " added, and no palliative care register entry or advance care plan can be recorded for them until then";

	private static final Set<EpisodeOfCareStatus> ENTRY_IN_FORCE = Set.of(EpisodeOfCareStatus.PLANNED,
			EpisodeOfCareStatus.WAITLIST, EpisodeOfCareStatus.ACTIVE, EpisodeOfCareStatus.ONHOLD);

	private static final Set<CarePlanStatus> PLAN_IN_FORCE = Set.of(CarePlanStatus.DRAFT, CarePlanStatus.ACTIVE,
			CarePlanStatus.ONHOLD, CarePlanStatus.UNKNOWN);

	private static final String ADVANCE_CARE_PLAN = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-advance-care-plan";

	private final FhirContext fhirContext;

	private final DaoRegistry daoRegistry;

	private final Set<String> planTypes;

	NhsNumberPolicy(FhirContext fhirContext, DaoRegistry daoRegistry, ConformancePackage conformancePackage) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.planTypes = conformancePackage.codesOf(ConformancePackage.CANONICAL_BASE + "/ValueSet/epaccs-plan-type");
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		check(resource, null, request);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (LabelOnlyChanges.inProgress()) {
			return; // a security label changes neither a person nor their plan
		}
		check(resource, previous, request);
	}

	private void check(IBaseResource resource, IBaseResource previous, RequestDetails request) {
		if (request == null || request instanceof SystemRequestDetails) {
			return;
		}
		if (resource instanceof EpisodeOfCare entry && RecordMeanings.isRegisterEntry(entry)
				&& ENTRY_IN_FORCE.contains(entry.getStatus())) {
			checkPerson(entry.getPatient(), "EpisodeOfCare.patient", "A palliative care register entry");
		}
		else if (resource instanceof CarePlan plan && isAdvanceCarePlan(plan)
				&& PLAN_IN_FORCE.contains(plan.getStatus())) {
			checkPerson(plan.getSubject(), "CarePlan.subject", "An advance care plan");
		}
		else if (resource instanceof Patient patient && !hasNhsNumber(patient)) {
			if (previous instanceof Patient before && hasNhsNumber(before)) {
				checkNoPlanInForce(patient);
			}
			WriteWarnings.add(request, "Patient/" + patient.getIdElement().getIdPart(), IssueType.BUSINESSRULE,
					NO_NHS_NUMBER_WARNING, "Patient.identifier");
		}
	}

	private void checkPerson(Reference person, String expression, String record) {
		IdType id = person.hasReference() ? new IdType(person.getReference()) : null;
		if (id == null || !"Patient".equals(id.getResourceType()) || !id.hasIdPart() || id.isLocal()) {
			refuse(expression, record + " needs a person with an NHS number, and " + expression
					+ " does not reference a Patient stored on this server (Patient/<id>, or a Patient entry of the"
					+ " same transaction): the out-of-hours lookup finds a plan only through its Patient's NHS number");
		}
		Patient patient;
		try {
			patient = this.daoRegistry.getResourceDao(Patient.class)
				.read(id.toUnqualifiedVersionless(), new SystemRequestDetails());
		}
		catch (ResourceNotFoundException | ResourceGoneException ex) {
			return; // referential integrity answers for a missing Patient
		}
		if (!hasNhsNumber(patient)) {
			refuse(expression,
					record + " needs a person with an NHS number: " + id.toUnqualifiedVersionless().getValue()
							+ " has none (no identifier with the system " + NhsNumber.SYSTEM
							+ "), so the out-of-hours lookup by NHS number could never find this record. Add the"
							+ " person's NHS number to the Patient, in the same transaction or before");
		}
	}

	private void checkNoPlanInForce(Patient patient) {
		String reference = "Patient/" + patient.getIdElement().getIdPart();
		List<String> inForce = new ArrayList<>();
		this.daoRegistry.getResourceDao(EpisodeOfCare.class)
			.searchForResources(InternalSearch.all().add(EpisodeOfCare.SP_PATIENT, new ReferenceParam(reference)),
					new SystemRequestDetails())
			.stream()
			.filter((entry) -> RecordMeanings.isRegisterEntry(entry) && ENTRY_IN_FORCE.contains(entry.getStatus()))
			.forEach((entry) -> inForce.add(entry.getIdElement().toUnqualifiedVersionless().getValue()));
		SearchParameterMap plans = InternalSearch.all().add(CarePlan.SP_SUBJECT, new ReferenceParam(reference));
		this.daoRegistry.getResourceDao(CarePlan.class)
			.searchForResources(plans, new SystemRequestDetails())
			.stream()
			.filter((plan) -> isAdvanceCarePlan(plan) && PLAN_IN_FORCE.contains(plan.getStatus()))
			.forEach((plan) -> inForce.add(plan.getIdElement().toUnqualifiedVersionless().getValue()));
		if (!inForce.isEmpty()) {
			refuse("Patient.identifier", "This Patient's NHS number cannot be removed: " + String.join(", ", inForce)
					+ " (a register entry or advance care plan in force) would no longer be found by the out-of-hours"
					+ " lookup by NHS number. Correct the number instead of removing it");
		}
	}

	/**
	 * An advance care plan: a CarePlan that declares our profile or whose category is one
	 * of the EPaCCS plan types.
	 */
	boolean isAdvanceCarePlan(CarePlan plan) {
		return plan.getMeta().getProfile().stream().anyMatch((profile) -> ADVANCE_CARE_PLAN.equals(profile.getValue()))
				|| plan.getCategory()
					.stream()
					.flatMap((category) -> category.getCoding().stream())
					.anyMatch((coding) -> this.planTypes.contains(coding.getSystem() + "|" + coding.getCode()));
	}

	/**
	 * Whether the Patient carries a valid NHS number (an invalid one is refused on write,
	 * but may predate that rule).
	 */
	static boolean hasNhsNumber(Patient patient) {
		for (Identifier identifier : patient.getIdentifier()) {
			if (NhsNumber.SYSTEM.equals(identifier.getSystem()) && NhsNumber.problem(identifier.getValue()) == null) {
				return true;
			}
		}
		return false;
	}

	private void refuse(String expression, String message) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(IssueSeverity.ERROR)
			.setCode(IssueType.BUSINESSRULE)
			.setDiagnostics(message)
			.addExpression(expression);
		throw new UnprocessableEntityException(this.fhirContext, outcome);
	}

}
