package org.openepaccs.export;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.jobs.export.BulkDataExportSupport;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.bulk.BulkExportJobParameters;
import ca.uhn.fhir.rest.api.server.bulk.BulkExportJobParameters.ExportStyle;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.util.Batch2JobDefinitionConstants;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.openepaccs.common.Systems;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.fhir.InternalSearch;
import org.openepaccs.security.AccessDenied;
import org.openepaccs.security.AccessPolicy;
import org.openepaccs.security.Caller;
import org.openepaccs.security.Callers;
import org.openepaccs.security.ConsentDirectory;
import org.openepaccs.security.ExportOwners;
import org.openepaccs.security.Interaction;
import org.openepaccs.security.Role;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Who may export what, and what travels with the export job.
 * <ul>
 * <li>A GP system (role {@code system-integration}) exports the people registered with
 * its own practice: {@code Group/<id>/$export} on a Group whose {@code managingEntity} is
 * an Organization with the caller's ODS code. The Group lists no members: the people are
 * those whose {@code Patient.generalPractitioner} is that Organization when the export
 * starts, less anyone who refused to share with the caller's organisation.
 * <li>An export across the ICB ({@code $export}, {@code Patient/$export}) needs the admin
 * role; it leaves out everyone who refused to share with the admin's organisation.
 * <li>The ICB analyst is refused: record-level data is not made safe by removing names
 * (see docs/export.md); the ICB measures are the analyst's way to this data.
 * </ul>
 * The caller's organisation and an owner digest travel in the job's parameters (user
 * data), because the job runs later on a batch thread with no caller:
 * {@link ExportConsent} reads the organisation for every resource it writes, and the
 * owner marks the job (for the poll) and its files (for their download).
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class ExportRules implements FhirServerInterceptor {

	static final String EXPORT = "$export";

	static final String POLL = "$export-poll-status";

	/** Job user data: the owner digest ({@link ExportOwners}). */
	static final String OWNER = "epaccsOwner";

	/** Job user data: the ODS code of the organisation whose consent view applies. */
	static final String ORGANISATION = "epaccsOrganisation";

	/** Job user data: true when only the listed patients' records may be written. */
	static final String PRACTICE = "epaccsPractice";

	static final String ANALYST_REFUSAL = "bulk export is not offered to the icb-analyst role: record-level data, "
			+ "even without names and NHS numbers, can identify people among a practice's few palliative patients "
			+ "(dates of birth, death and diagnosis, postcodes, free text), so no de-identified extract is made; "
			+ "the ICB measures ($evaluate-measure) give the analyst the aggregates, with small numbers suppressed";

	private final Callers callers;

	private final DaoRegistry daoRegistry;

	private final IJobCoordinator jobs;

	private final ConsentDirectory consent;

	private final BulkDataExportSupport exportSupport;

	ExportRules(Callers callers, DaoRegistry daoRegistry, IJobCoordinator jobs, ConsentDirectory consent,
			FhirContext fhirContext, IRequestPartitionHelperSvc partitions) {
		this.callers = callers;
		this.daoRegistry = daoRegistry;
		this.jobs = jobs;
		this.consent = consent;
		this.exportSupport = new BulkDataExportSupport(fhirContext, daoRegistry, partitions);
	}

	/**
	 * The role decides the level of export before anything is read, after the access gate
	 * has classified the request; the poll serves only the export's owner.
	 */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -5)
	public void decide(RequestDetails request) {
		if (EXPORT.equals(request.getOperation())) {
			decideKickOff(request);
		}
		else if (POLL.equals(request.getOperation())) {
			decidePoll(request);
		}
	}

	private void decideKickOff(RequestDetails request) {
		Caller caller = this.callers.current()
			.orElseThrow(
					() -> AccessDenied.because("bulk export needs an access token naming a role and organisation"));
		if (caller.role() == Role.ICB_ANALYST) {
			throw AccessDenied.because(ANALYST_REFUSAL);
		}
		if ("Group".equals(request.getResourceName())) {
			if (caller.role() != Role.SYSTEM_INTEGRATION) {
				throw AccessDenied.because("a practice export (Group/<id>/$export) is for the practice's own GP system "
						+ "(role system-integration); an export across the ICB ($export) needs the admin role");
			}
		}
		else if (caller.role() != Role.ADMIN) {
			throw AccessDenied.because("an export across the ICB ("
					+ ((request.getResourceName() != null) ? request.getResourceName() + "/" : "")
					+ "$export) needs the admin role; a GP system exports "
					+ "the people of its own practice with Group/<id>/$export on its practice's Group");
		}
		if (caller.organisation() == null || caller.organisation().isBlank()) {
			throw AccessDenied.because("bulk export needs an access token naming the caller's organisation, "
					+ "whose consent to share decides who is exported");
		}
	}

	private void decidePoll(RequestDetails request) {
		if (request.getRequestType() != RequestTypeEnum.GET && request.getRequestType() != RequestTypeEnum.DELETE) {
			throw AccessDenied.because("an export's status is polled with GET, and the export cancelled with DELETE, "
					+ "on the Content-Location of its kick-off");
		}
		String[] ids = request.getParameters().get("_jobId");
		String id = (ids != null && ids.length == 1) ? ids[0] : null;
		if (id == null || id.isBlank()) {
			throw new InvalidRequestException(
					"$export-poll-status needs one _jobId, as in the Content-Location of the export's kick-off");
		}
		Caller caller = this.callers.current().orElse(null);
		JobInstance job;
		try {
			job = this.jobs.getInstance(id);
		}
		catch (ResourceNotFoundException ex) {
			throw unknownExport(id);
		}
		if (caller == null || !Batch2JobDefinitionConstants.BULK_EXPORT.equals(job.getJobDefinitionId())) {
			throw unknownExport(id);
		}
		Object owner = job.getParameters(BulkExportJobParameters.class).getUserData().get(OWNER);
		if (!ExportOwners.ownerOf(caller).equals(owner)) {
			throw unknownExport(id); // another caller's export: as if there were none
		}
	}

	/**
	 * Before the job is started (after HAPI has checked the parameters and that the Group
	 * exists): a practice export becomes an export of the practice's people, and the
	 * caller's organisation and owner digest are written into the job.
	 */
	@Hook(Pointcut.STORAGE_PRE_INITIATE_BULK_EXPORT)
	public void scope(BulkExportJobParameters parameters, RequestDetails request) {
		Caller caller = this.callers.current()
			.orElseThrow(() -> AccessDenied.because("bulk export needs an access token"));
		if (!parameters.getFilters().isEmpty() || !parameters.getPostFetchFilterUrls().isEmpty()) {
			// a filter's search runs in the job unnarrowed by consent, so its chains
			// could
			// select visible records by what a hidden person's record holds
			throw new InvalidRequestException("_typeFilter and _typePostFetchFilterUrl are not offered here; "
					+ "export whole types (_type, _since) and filter the files");
		}
		List<String> readable = parameters.getResourceTypes().stream().filter((type) -> mayRead(caller, type)).toList();
		if (readable.isEmpty()) {
			throw AccessDenied.because("no scope of the access token allows reading any of the types to export ("
					+ String.join(",", parameters.getResourceTypes()) + ")");
		}
		// the export holds only what the token's scopes (and, for a GP system, its role)
		// allow reading
		parameters.setResourceTypes(readable);
		String owner = ExportOwners.ownerOf(caller);
		parameters.setUserData(OWNER, owner);
		parameters.setUserData(ORGANISATION, caller.organisation());
		parameters.setBinarySecurityContextIdentifierSystem(ExportOwners.SYSTEM);
		parameters.setBinarySecurityContextIdentifierValue(owner);
		if (parameters.getExportStyle() == ExportStyle.GROUP) {
			parameters.setUserData(PRACTICE, Boolean.TRUE);
			List<String> people = practicePeople(parameters.getGroupId(), caller);
			Set<String> compartmentTypes = this.exportSupport.getPatientCompartmentResources(ExportStyle.PATIENT);
			List<String> types = parameters.getResourceTypes().stream().filter(compartmentTypes::contains).toList();
			if (types.isEmpty()) {
				// an empty list would mean every type to the job
				throw new InvalidRequestException("a practice export holds people's records: _type must name "
						+ "at least one type of a person's record, such as Patient or Observation");
			}
			parameters.setResourceTypes(types);
			if (!people.isEmpty()) {
				// HAPI's group export reads Group.member; the practice's people are found
				// here instead, and exported as a patient export of exactly them
				parameters.setExportStyle(ExportStyle.PATIENT);
				parameters.setGroupId(null);
				parameters.setPatientIds(people);
			}
			// with nobody to export, the memberless Group's export writes nothing:
			// ExportConsent writes no resource outside the (empty) list
		}
	}

	/**
	 * Whether the export may hold this type: the admin role's one read of clinical data
	 * is its ICB-wide export, so for it the scopes alone decide; for a GP system its role
	 * and scopes, as for a search.
	 */
	private static boolean mayRead(Caller caller, String type) {
		if (caller.role() == Role.ADMIN) {
			return caller.hasScope(type, Interaction.READ);
		}
		return AccessPolicy.decide(caller, type, Interaction.READ).allowed();
	}

	/** The people registered with the practice the Group stands for, less the hidden. */
	private List<String> practicePeople(String groupId, Caller caller) {
		IdType id = new IdType(groupId).toUnqualifiedVersionless();
		Group group = (Group) this.daoRegistry.getResourceDao("Group").read(id, new SystemRequestDetails());
		if (!group.getMember().isEmpty()) {
			throw new InvalidRequestException(id.getValue() + " lists members: a practice's Group lists none, "
					+ "its managingEntity names the practice and the export covers the people registered there");
		}
		IdType practice = new IdType(group.getManagingEntity().getReference());
		if (!"Organization".equals(practice.getResourceType()) || practice.getIdPart() == null
				|| !isCallersOrganisation(practice, caller)) {
			throw AccessDenied.because(id.getValue() + " is not your practice's Group: its managingEntity must be the "
					+ "Organization with your ODS code (" + caller.organisation() + ")");
		}
		SearchParameterMap registered = InternalSearch.all()
			.add(org.hl7.fhir.r4.model.Patient.SP_GENERAL_PRACTITIONER,
					new ReferenceParam("Organization/" + practice.getIdPart()));
		List<String> people = new ArrayList<>();
		for (IBaseResource patient : this.daoRegistry.getResourceDao("Patient")
			.search(registered, new SystemRequestDetails())
			.getAllResources()) {
			String patientId = patient.getIdElement().getIdPart();
			if (!this.consent.isHiddenFrom(patientId, caller.organisation())) {
				people.add("Patient/" + patientId);
			}
		}
		return people;
	}

	private boolean isCallersOrganisation(IdType practice, Caller caller) {
		try {
			Organization organisation = (Organization) this.daoRegistry.getResourceDao("Organization")
				.read(practice, new SystemRequestDetails());
			return organisation.getIdentifier()
				.stream()
				.anyMatch((identifier) -> Systems.ODS.equals(identifier.getSystem())
						&& caller.organisation().equals(identifier.getValue()));
		}
		catch (ResourceNotFoundException | ca.uhn.fhir.rest.server.exceptions.ResourceGoneException ex) {
			return false;
		}
	}

	/**
	 * One answer for an export id that names nothing and one that is not the caller's.
	 */
	private static ResourceNotFoundException unknownExport(String id) {
		OperationOutcome outcome = new OperationOutcome();
		String message = "No bulk export " + id + " is known to this caller";
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(OperationOutcome.IssueType.NOTFOUND)
			.setDiagnostics(message);
		return new ResourceNotFoundException(message, outcome);
	}

}
