package org.openepaccs.summary;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.openepaccs.audit.RecordChanges;
import org.openepaccs.fhir.InternalSearch;
import org.openepaccs.fhir.ShownResources;
import org.openepaccs.common.NhsNumber;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Loads what the summary shows, as the caller: every query goes through the caller's
 * request, so consent to share, access rules and the audit trail treat it as the reads it
 * is: the person with their record in one search ({@code _revinclude}), then the
 * organisations, practitioners and roles that record names ({@link DirectoryEntries}).
 */
@Component
class PlanRecordQueries {

	/** The resources that hold a person's plan, each by its patient search parameter. */
	private static final List<Include> RECORD = List.of(new Include("EpisodeOfCare:patient"),
			new Include("Flag:patient"), new Include("CarePlan:subject"), new Include("Consent:patient"),
			new Include("Observation:subject"), new Include("Procedure:subject"),
			new Include("MedicationRequest:subject"), new Include("CareTeam:subject"),
			new Include("RelatedPerson:patient"), new Include("DocumentReference:subject"));

	/**
	 * Who and what a record names that is not itself part of anyone's record: people,
	 * organisations and the medicines (Medication) a prescription or a just-in-case box
	 * names.
	 */
	private static final Set<String> DIRECTORY = Set.of("Organization", "Practitioner", "PractitionerRole",
			"HealthcareService", "Medication");

	private final DaoRegistry daoRegistry;

	private final FhirTerser terser;

	private final RecordChanges changes;

	private final ShownResources shown;

	private final DirectoryEntries directoryEntries;

	private final JdbcTemplate jdbc;

	private final PartitionSettings partitionSettings;

	PlanRecordQueries(DaoRegistry daoRegistry, FhirContext fhirContext, RecordChanges changes, ShownResources shown,
			DirectoryEntries directoryEntries, JdbcTemplate jdbc, PartitionSettings partitionSettings) {
		this.daoRegistry = daoRegistry;
		this.jdbc = jdbc;
		this.partitionSettings = partitionSettings;
		this.terser = fhirContext.newTerser();
		this.changes = changes;
		this.shown = shown;
		this.directoryEntries = directoryEntries;
	}

	/**
	 * The id of each person with this NHS number, found whatever the caller may see: what
	 * the caller may see of them is decided when their record is read. Asked of HAPI's
	 * token index directly, by the hash HAPI searches it with: a search through HAPI
	 * would load and parse each Patient only for its id.
	 */
	List<String> patientsWithNhsNumber(String nhsNumber) {
		long systemAndValue = ResourceIndexedSearchParamToken.calculateHashSystemAndValue(this.partitionSettings,
				RequestPartitionId.defaultPartition(), "Patient", Patient.SP_IDENTIFIER, NhsNumber.SYSTEM, nhsNumber);
		return this.jdbc.queryForList("SELECT DISTINCT r.FHIR_ID FROM HFJ_SPIDX_TOKEN t JOIN HFJ_RESOURCE r"
				+ " ON r.RES_ID = t.RES_ID WHERE t.HASH_SYS_AND_VALUE = ? AND t.RES_TYPE = 'Patient'"
				+ " AND r.RES_TYPE = 'Patient' AND r.RES_DELETED_AT IS NULL", String.class, systemAndValue);
	}

	PlanRecord load(String patientId, RequestDetails request) {
		SearchParameterMap withRecord = InternalSearch.all().add("_id", new StringParam(patientId));
		withRecord.setRevIncludes(new java.util.HashSet<>(RECORD));
		Patient patient = null;
		List<Resource> record = new ArrayList<>();
		for (IBaseResource resource : all(this.daoRegistry.getResourceDao(Patient.class).search(withRecord, request))) {
			if (resource instanceof Patient person && patientId.equals(person.getIdElement().getIdPart())) {
				patient = person;
			}
			else if (resource != null && !(resource instanceof Patient)) {
				record.add((Resource) resource);
			}
		}
		if (patient == null) {
			// not found: a read answers 404, 410 (deleted) or a consent refusal
			// exactly as a read of the person would. Only then, because the search
			// already did what a read does for someone who is there (the consent
			// hooks treat the person in this operation as read), and a second load
			// of the person would be work for nothing.
			patient = this.daoRegistry.getResourceDao(Patient.class).read(new IdType("Patient", patientId), request);
		}
		record.add(0, patient);
		Map<String, Resource> directory = directory(record, request);
		Set<String> keys = new LinkedHashSet<>();
		record.forEach((resource) -> keys.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart()));
		return new PlanRecord(record, directory, this.changes.latest(keys));
	}

	/**
	 * Every result, included ones too: the size HAPI gives a synchronous search counts
	 * only the matches, or is left unknown, though it loaded them all.
	 */
	private static List<IBaseResource> all(IBundleProvider results) {
		return results.getResources(0, Integer.MAX_VALUE);
	}

	/**
	 * The directory entries the record names, with the practitioners and organisations of
	 * the roles among them, shown as to the caller.
	 */
	private Map<String, Resource> directory(List<Resource> record, RequestDetails request) {
		Map<String, Resource> entries = this.directoryEntries.current(directoryReferences(record));
		List<Resource> roles = entries.values()
			.stream()
			.filter((entry) -> "PractitionerRole".equals(entry.fhirType()))
			.toList();
		Set<String> ofRoles = directoryReferences(roles);
		ofRoles.removeAll(entries.keySet());
		entries.putAll(this.directoryEntries.current(ofRoles));
		Map<String, Resource> directory = new HashMap<>();
		for (Resource shownEntry : this.shown.to(request, new ArrayList<>(entries.values()))) {
			directory.put(shownEntry.fhirType() + "/" + shownEntry.getIdElement().getIdPart(), shownEntry);
		}
		return directory;
	}

	private Set<String> directoryReferences(List<Resource> resources) {
		Set<String> references = new LinkedHashSet<>();
		for (Resource resource : resources) {
			for (IBaseReference reference : this.terser.getAllPopulatedChildElementsOfType(resource,
					IBaseReference.class)) {
				IIdType target = reference.getReferenceElement();
				if (target != null && target.getResourceType() != null && DIRECTORY.contains(target.getResourceType())
						&& target.hasIdPart() && !target.isLocal() && !target.isAbsolute()) {
					references.add(target.getResourceType() + "/" + target.getIdPart());
				}
			}
		}
		return references;
	}

}
