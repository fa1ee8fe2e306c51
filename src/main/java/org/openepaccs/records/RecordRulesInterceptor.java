package org.openepaccs.records;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.NumberParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.fhir.InternalSearch;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import static org.openepaccs.common.Systems.SNOMED;

/**
 * The rules of the record that no profile can express because they look at other
 * resources, enforced on every write with 422: one active register entry per person, at
 * most one active CPR decision per person, a second-choice preferred place only beside a
 * first choice of the same kind, a register entry that does not end before it starts, and
 * an actual place of death only for a person whose death is recorded. They apply whether
 * or not the resource declares our profile: the codes decide.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class RecordRulesInterceptor implements FhirStorageInterceptor {

	private static final String OBSERVATION_CODES = ConformancePackage.CANONICAL_BASE
			+ "/CodeSystem/epaccs-observation-code";

	private static final String TRANSACTION_KEY = RecordRulesInterceptor.class.getName() + ".transaction";

	private static final java.util.regex.Pattern FHIR_ID = java.util.regex.Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	private final FhirContext fhirContext;

	private final DaoRegistry daoRegistry;

	private final Set<String> cprCodes;

	private final Set<String> preferredPlaceOfDeath;

	private final Set<String> preferredPlaceOfCare;

	private final Set<String> actualPlaceOfDeath;

	private final PersonLocks personLocks;

	RecordRulesInterceptor(FhirContext fhirContext, DaoRegistry daoRegistry, ConformancePackage conformancePackage,
			PersonLocks personLocks) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.personLocks = personLocks;
		String valueSets = ConformancePackage.CANONICAL_BASE + "/ValueSet/";
		this.cprCodes = conformancePackage.codesOf(valueSets + "epaccs-cpr-decision");
		this.preferredPlaceOfDeath = union(conformancePackage.codesOf(valueSets + "epaccs-preferred-place-of-death"),
				OBSERVATION_CODES + "|preferred-place-of-death");
		this.preferredPlaceOfCare = union(conformancePackage.codesOf(valueSets + "epaccs-preferred-place-of-care"),
				OBSERVATION_CODES + "|preferred-place-of-care");
		this.actualPlaceOfDeath = conformancePackage.codesOf(valueSets + "epaccs-actual-place-of-death");
	}

	// before profile validation (200): where both would refuse, the rule's message says
	// in
	// the record's own words what a core invariant (e.g. per-1) says generically
	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = 150)
	public void created(IBaseResource resource, RequestDetails request) {
		check(resource, request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = 150)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		check(resource, request);
	}

	/**
	 * HAPI's own parse of a transaction, whose entries' resources are the objects the
	 * storage hooks below are given and which carry the ids HAPI assigns as it creates
	 * them: what matches a {@code urn:uuid:} reference to the person it names.
	 */
	@Hook(Pointcut.STORAGE_TRANSACTION_PROCESSING)
	public void transactionProcessing(RequestDetails request, IBaseBundle bundle) {
		if (request != null && bundle instanceof Bundle r4) {
			request.getUserData().put(TRANSACTION_KEY, r4);
		}
	}

	void check(IBaseResource resource, RequestDetails request) {
		if (resource instanceof EpisodeOfCare episode && RecordMeanings.isRegisterEntry(episode)) {
			lockPerson(episode.getPatient().getReference(), request);
			checkRegisterEntry(episode, request);
		}
		else if (resource instanceof Flag flag && flag.getStatus() == Flag.FlagStatus.ACTIVE
				&& RecordMeanings.hasCode(flag.getCode(), this.cprCodes)) {
			lockPerson(flag.getSubject().getReference(), request);
			checkOneActiveCprDecision(flag);
		}
		else if (resource instanceof Observation observation && RecordMeanings.rank(observation) == 2) {
			lockPerson(observation.getSubject().getReference(), request);
			checkSecondChoiceHasFirst(observation, request);
		}
		else if (resource instanceof Observation observation
				&& observation.getStatus() != Observation.ObservationStatus.ENTEREDINERROR
				&& RecordMeanings.hasCode(observation.getCode(), this.actualPlaceOfDeath)) {
			lockPerson(observation.getSubject().getReference(), request);
			checkPersonHasDied(observation, request);
		}
	}

	/**
	 * Serialises the writers of one person's record from here to the end of the database
	 * transaction: the checks below read the person's other resources, and a concurrent
	 * writer must see this one's result, not the state before it.
	 */
	private void lockPerson(String reference, RequestDetails request) {
		this.personLocks.lock(person(reference, request));
	}

	private void checkRegisterEntry(EpisodeOfCare episode, RequestDetails request) {
		if (episode.getPeriod().hasStart() && episode.getPeriod().hasEnd()
				&& episode.getPeriod().getEnd().before(episode.getPeriod().getStart())) {
			refuse("EpisodeOfCare.period.end",
					"A register entry cannot end before it starts: period.end is before period.start");
		}
		if (episode.getStatus() != EpisodeOfCare.EpisodeOfCareStatus.ACTIVE || !episode.getPatient().hasReference()) {
			return;
		}
		SearchParameterMap active = InternalSearch.all()
			.add("patient", new ReferenceParam(episode.getPatient().getReference()))
			.add("status", new TokenParam("active"))
			.add("type", new TokenParam(SNOMED, RecordMeanings.PALLIATIVE_CARE));
		List<String> others = otherIds(EpisodeOfCare.class, active, episode, (other) -> true);
		if (!others.isEmpty()) {
			refuse("EpisodeOfCare.status", "This person already has an active palliative care register entry ("
					+ others.get(0) + "): finish that entry, or update it, rather than add a second one");
		}
		// entries written by the same transaction are not yet searchable: count them in
		// the transaction as the client sent it
		if (isTransaction(request)) {
			Map<String, Long> activeEntriesByPerson = transaction(request).getEntry()
				.stream()
				.filter((entry) -> entry.getResource() instanceof EpisodeOfCare other
						&& RecordMeanings.isRegisterEntry(other)
						&& other.getStatus() == EpisodeOfCare.EpisodeOfCareStatus.ACTIVE
						&& other.getPatient().hasReference())
				.collect(Collectors.groupingBy(
						(entry) -> person(((EpisodeOfCare) entry.getResource()).getPatient().getReference(), request),
						Collectors.counting()));
			if (activeEntriesByPerson.values().stream().anyMatch((count) -> count > 1)) {
				refuse("Bundle.entry.resource.ofType(EpisodeOfCare).status",
						"This transaction adds more than one active palliative care register entry for the same "
								+ "person: send one active entry per person");
			}
		}
	}

	private void checkPersonHasDied(Observation observation, RequestDetails request) {
		if (!observation.getSubject().hasReference()) {
			return;
		}
		String person = person(observation.getSubject().getReference(), request);
		boolean patient = person.startsWith("Patient/") || (person.startsWith("urn:") && isTransaction(request)
				&& byFullUrl(request).get(person) instanceof Patient);
		if (!patient || isDeceased(person, new IdType(observation.getSubject().getReference()), request)) {
			return;
		}
		refuse("Observation.subject",
				"An actual place of death can only be recorded for a person whose death is recorded: set "
						+ "Patient.deceasedDateTime (in the same transaction or before)");
	}

	private boolean isDeceased(String person, IdType patientId, RequestDetails request) {
		if (isTransaction(request)) {
			// the Patient may be updated by the same transaction (entries are not yet
			// readable): only the entry of this person counts, never another person's
			// death in the same Bundle
			boolean recordedHere = transaction(request).getEntry()
				.stream()
				.filter((entry) -> entry.getResource() instanceof Patient && namesOf(entry, request).contains(person))
				.anyMatch((entry) -> hasDied((Patient) entry.getResource()));
			if (recordedHere) {
				return true;
			}
		}
		if (person.startsWith("urn:")) {
			return false;
		}
		try {
			return hasDied(this.daoRegistry.getResourceDao(Patient.class)
				.read(patientId.toUnqualifiedVersionless(), new SystemRequestDetails()));
		}
		catch (ResourceNotFoundException | ResourceGoneException ex) {
			return false; // referential integrity answers for a missing Patient
		}
	}

	private static boolean hasDied(Patient patient) {
		return (patient.hasDeceasedBooleanType() && patient.getDeceasedBooleanType().booleanValue())
				|| patient.hasDeceasedDateTimeType();
	}

	private static boolean isTransaction(RequestDetails request) {
		return request != null && request.getRestOperationType() == RestOperationTypeEnum.TRANSACTION;
	}

	private void checkOneActiveCprDecision(Flag flag) {
		if (!flag.getSubject().hasReference()) {
			return;
		}
		// R4 core has no Flag code or status search parameter: select the person's flags,
		// then filter
		SearchParameterMap flags = InternalSearch.all()
			.add("subject", new ReferenceParam(flag.getSubject().getReference()));
		List<String> others = otherIds(Flag.class, flags, flag, (other) -> other.getStatus() == Flag.FlagStatus.ACTIVE
				&& RecordMeanings.hasCode(other.getCode(), this.cprCodes));
		if (!others.isEmpty()) {
			refuse("Flag.status", "This person already has an active CPR decision (" + others.get(0)
					+ "): make that flag inactive (or update it) when recording a new decision");
		}
	}

	private void checkSecondChoiceHasFirst(Observation observation, RequestDetails request) {
		Set<String> kind = RecordMeanings.hasCode(observation.getCode(), this.preferredPlaceOfDeath)
				? this.preferredPlaceOfDeath : RecordMeanings.hasCode(observation.getCode(), this.preferredPlaceOfCare)
						? this.preferredPlaceOfCare : null;
		if (kind == null || !observation.getSubject().hasReference()) {
			return;
		}
		SearchParameterMap firstChoices = InternalSearch.all()
			.add("subject", new ReferenceParam(observation.getSubject().getReference()))
			.add("preference-rank", new NumberParam(1));
		List<Observation> firsts = new ArrayList<>(this.daoRegistry.getResourceDao(Observation.class)
			.searchForResources(firstChoices, new SystemRequestDetails()));
		// a first choice written in the same transaction is not yet searchable: look in
		// the transaction itself, at this person's first choices only
		if (isTransaction(request)) {
			String person = person(observation.getSubject().getReference(), request);
			transaction(request).getEntry()
				.stream()
				.filter((entry) -> entry.getResource() instanceof Observation other && RecordMeanings.rank(other) == 1
						&& person.equals(person(other.getSubject().getReference(), request)))
				.forEach((entry) -> firsts.add((Observation) entry.getResource()));
		}
		boolean hasFirst = firsts.stream()
			.anyMatch((first) -> first.getStatus() != Observation.ObservationStatus.ENTEREDINERROR
					&& RecordMeanings.hasCode(first.getCode(), kind));
		if (!hasFirst) {
			refuse("Observation.extension('" + RecordMeanings.RANK_EXTENSION + "')",
					"A second-choice preferred place (rank 2) needs a first choice (rank 1) of the same kind (place of "
							+ (kind == this.preferredPlaceOfDeath ? "death" : "care")
							+ ") for this person: record the first choice first");
		}
	}

	/**
	 * The person a reference names, as {@code Patient/123}: a {@code urn:uuid:} reference
	 * to an entry of this transaction is that entry's resource once HAPI has given it its
	 * id, and stays the placeholder until then.
	 */
	private String person(String reference, RequestDetails request) {
		if (reference == null) {
			return null;
		}
		if (isTransaction(request)) {
			org.hl7.fhir.r4.model.Resource entry = byFullUrl(request).get(reference);
			String assigned = (entry != null) ? assignedId(entry) : null;
			if (assigned != null) {
				return assigned;
			}
		}
		if (reference.startsWith("urn:")) {
			return reference;
		}
		IdType id = new IdType(reference);
		return (id.hasResourceType() && id.hasIdPart()) ? id.getResourceType() + "/" + id.getIdPart() : reference;
	}

	/** The resources of this transaction's entries by their fullUrl, once per request. */
	@SuppressWarnings("unchecked")
	private Map<String, org.hl7.fhir.r4.model.Resource> byFullUrl(RequestDetails request) {
		return (Map<String, org.hl7.fhir.r4.model.Resource>) request.getUserData()
			.computeIfAbsent(TRANSACTION_KEY + ".byFullUrl", (key) -> {
				Map<String, org.hl7.fhir.r4.model.Resource> resources = new java.util.HashMap<>();
				for (Bundle.BundleEntryComponent entry : transaction(request).getEntry()) {
					if (entry.hasFullUrl() && entry.getResource() != null) {
						resources.putIfAbsent(entry.getFullUrl(), entry.getResource());
					}
				}
				return resources;
			});
	}

	/** The names an entry's resource goes by in this transaction. */
	private Set<String> namesOf(Bundle.BundleEntryComponent entry, RequestDetails request) {
		Set<String> names = new java.util.HashSet<>();
		String assigned = assignedId(entry.getResource());
		if (assigned != null) {
			names.add(assigned);
		}
		if (entry.hasFullUrl()) {
			names.add(person(entry.getFullUrl(), request));
		}
		if (entry.getRequest().hasUrl() && !entry.getRequest().getUrl().contains("?")) {
			names.add(person(entry.getRequest().getUrl(), request));
		}
		return names;
	}

	/** Type/id of a resource with a server id, or null before it has one. */
	private static String assignedId(org.hl7.fhir.r4.model.Resource resource) {
		String id = resource.getIdElement().getIdPart();
		return (id != null && !id.startsWith("urn:") && FHIR_ID.matcher(id).matches()) ? resource.fhirType() + "/" + id
				: null;
	}

	/**
	 * The transaction HAPI is processing (see {@link #transactionProcessing}), or else
	 * the one the client sent, parsed once per request.
	 */
	private Bundle transaction(RequestDetails request) {
		return (Bundle) request.getUserData().computeIfAbsent(TRANSACTION_KEY, (key) -> {
			String body = new String(request.loadRequestContents(), StandardCharsets.UTF_8);
			IParser parser = body.stripLeading().startsWith("<") ? this.fhirContext.newXmlParser()
					: this.fhirContext.newJsonParser();
			return parser.parseResource(Bundle.class, body);
		});
	}

	/**
	 * The ids of the resources the search finds that pass the filter, other than self.
	 */
	private <T extends IBaseResource> List<String> otherIds(Class<T> type, SearchParameterMap map, T self,
			Predicate<T> filter) {
		String selfId = self.getIdElement().getIdPart();
		IFhirResourceDao<T> dao = this.daoRegistry.getResourceDao(type);
		return dao.searchForResources(map, new SystemRequestDetails())
			.stream()
			.filter(filter)
			.map((other) -> other.getIdElement().toUnqualifiedVersionless().getValue())
			.filter((other) -> selfId == null || !other.endsWith("/" + selfId))
			.toList();
	}

	private void refuse(String expression, String message) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(OperationOutcome.IssueType.BUSINESSRULE)
			.setDiagnostics(message)
			.addExpression(expression);
		throw new UnprocessableEntityException(this.fhirContext, outcome);
	}

	private static Set<String> union(Set<String> codes, String extra) {
		return Set.copyOf(Stream.concat(codes.stream(), Stream.of(extra)).toList());
	}

}
