package org.openepaccs.security;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.i18n.Msg;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.dao.BaseStorageDao;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry.SearchParamLookupContextEnum;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.util.UrlUtil;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle;
import org.openepaccs.common.BundleEntryRequest;
import org.openepaccs.common.PlanSummaryNames;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The closed world: every request, and every entry of a batch or transaction as if it
 * were a request of its own, is classified against an explicit table of what this server
 * offers; anything the table does not name is refused with 403, so a HAPI feature or an
 * operation nobody has classified is closed until someone does. What a classified request
 * may then touch is for {@link FhirAccessInterceptor} (role and scopes) and
 * {@link ConsentToShareInterceptor} (consent to share).
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class AccessGate implements FhirServerInterceptor {

	private static final Pattern RESOLVES_TO = Pattern.compile("resolve\\(\\)\\s+is\\s+([A-Za-z]+)");

	private final ISearchParamRegistry searchParams;

	private final Callers callers;

	private final AccessProperties properties;

	private final FhirContext fhirContext;

	AccessGate(ISearchParamRegistry searchParams, Callers callers, AccessProperties properties,
			FhirContext fhirContext) {
		this.searchParams = searchParams;
		this.callers = callers;
		this.properties = properties;
		this.fhirContext = fhirContext;
	}

	/** Interactions offered, as HAPI names them; operations are classified by name. */
	private static final Set<RestOperationTypeEnum> INTERACTIONS = Set.of(RestOperationTypeEnum.METADATA,
			RestOperationTypeEnum.READ, RestOperationTypeEnum.VREAD, RestOperationTypeEnum.SEARCH_TYPE,
			RestOperationTypeEnum.HISTORY_INSTANCE, RestOperationTypeEnum.HISTORY_TYPE, RestOperationTypeEnum.CREATE,
			RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.PATCH, RestOperationTypeEnum.DELETE,
			RestOperationTypeEnum.GET_PAGE, RestOperationTypeEnum.TRANSACTION, RestOperationTypeEnum.BATCH);

	/** Where an operation is offered. */
	enum Level {

		SERVER, TYPE, INSTANCE

	}

	/**
	 * The operations offered: name, the levels, and the resource types ({@code *} for
	 * any). Left out on purpose, among others: {@code $meta} and {@code $diff} (they show
	 * a stored resource outside the read rules), {@code $validate} on a stored resource
	 * (the same), {@code $get-resource-counts} (counts people who refused to share), the
	 * reindex, expunge and merge operations (administration through the API is not
	 * offered), {@code $lastn}, {@code $document} and {@code Encounter/$everything}.
	 */
	private static final List<OperationRule> OPERATIONS = List.of(
			new OperationRule(PlanSummaryNames.OPERATION, Set.of(Level.TYPE, Level.INSTANCE), Set.of("Patient")),
			new OperationRule("$everything", Set.of(Level.INSTANCE), Set.of("Patient")),
			new OperationRule("$review-worklist", Set.of(Level.TYPE), Set.of("CarePlan")),
			new OperationRule("$evaluate-measure", Set.of(Level.INSTANCE), Set.of("Measure")),
			new OperationRule("$validate", Set.of(Level.TYPE), Set.of("*")),
			new OperationRule("$expand", Set.of(Level.TYPE, Level.INSTANCE), Set.of("ValueSet")),
			new OperationRule("$validate-code", Set.of(Level.TYPE, Level.INSTANCE), Set.of("ValueSet", "CodeSystem")),
			new OperationRule("$lookup", Set.of(Level.TYPE, Level.INSTANCE), Set.of("CodeSystem")),
			new OperationRule("$subsumes", Set.of(Level.TYPE, Level.INSTANCE), Set.of("CodeSystem")),
			new OperationRule("$translate", Set.of(Level.TYPE, Level.INSTANCE), Set.of("ConceptMap")),
			// bulk export: the kick-off across the ICB (server, Patient) or for a
			// practice (Group), and the poll (GET) and cancel (DELETE) of one export;
			// its files are read as Binary
			new OperationRule("$export", Set.of(Level.SERVER), Set.of("*")),
			new OperationRule("$export", Set.of(Level.TYPE), Set.of("Patient")),
			new OperationRule("$export", Set.of(Level.INSTANCE), Set.of("Group")),
			new OperationRule("$export-poll-status", Set.of(Level.SERVER), Set.of("*")),
			new OperationRule("$snapshot", Set.of(Level.TYPE, Level.INSTANCE), Set.of("StructureDefinition")));

	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -50)
	public void classify(RequestDetails request) {
		RestOperationTypeEnum interaction = request.getRestOperationType();
		String refused = refusal(interaction, request.getResourceName(), request.getOperation());
		if (refused != null) {
			throw AccessDenied.because(refused);
		}
		String search = searchRefusal(request.getResourceName(), request.getParameters());
		if (search == null && request.getHeader("If-None-Exist") != null) {
			search = searchRefusal(request.getResourceName(), query(request.getHeader("If-None-Exist")));
		}
		if (search != null) {
			throw AccessDenied.because(search);
		}
		if ((interaction == RestOperationTypeEnum.TRANSACTION || interaction == RestOperationTypeEnum.BATCH)
				&& request.getResource() instanceof Bundle bundle) {
			List<BundleEntryComponent> entries = bundle.getEntry();
			for (int i = 0; i < entries.size(); i++) {
				String entryRefusal = entryRefusal(entries.get(i));
				if (entryRefusal != null) {
					throw AccessDenied.because("Bundle.entry[" + i + "]: " + entryRefusal);
				}
			}
		}
	}

	/**
	 * Creating a person's record under an id the client chose ({@code PUT} to an id not
	 * stored, directly, as a transaction entry, or as a conditional update that matched
	 * nothing) is not offered: a {@code PUT} to the id of a hidden record cannot create,
	 * so if one to a missing id could, the two would tell hidden from missing. Both are
	 * answered as HAPI answers when client-assigned ids are switched off (404, the
	 * requested id); GP systems upload idempotently with conditional create and
	 * conditional update, which take a server-assigned id. Directory and conformance
	 * resources keep client-assigned ids. The one exception is a client of the embedded
	 * (dev) issuer marked {@code client-assigned-ids}, the synthetic population loader.
	 */
	@Hook(Pointcut.STORAGE_PRESTORAGE_CLIENT_ASSIGNED_ID)
	public void refuseClientAssignedIds(IBaseResource resource, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails)
				|| AccessPolicy.categoryOf(resource.fhirType()) != AccessPolicy.Category.CLINICAL
				|| mayAssignIds(this.callers.current())) {
			return;
		}
		throw noClientAssignedIds(this.fhirContext, resource.getIdElement().getIdPart());
	}

	private boolean mayAssignIds(Optional<Caller> caller) {
		if (caller.isEmpty() || !this.properties.embeddedIssuer().enabled() || caller.get().clientId() == null) {
			return false;
		}
		AccessProperties.DemoClient client = this.properties.embeddedIssuer().clients().get(caller.get().clientId());
		return client != null && client.clientAssignedIds();
	}

	/**
	 * HAPI's own answer to an update of an id that is not stored when client-assigned ids
	 * are not enabled: also the answer to an update of a hidden record.
	 */
	static ResourceNotFoundException noClientAssignedIds(FhirContext fhirContext, String id) {
		return new ResourceNotFoundException(Msg.code(959) + fhirContext.getLocalizer()
			.getMessageSanitized(BaseStorageDao.class, "failedToCreateWithClientAssignedIdNotAllowed", id));
	}

	/**
	 * Why this request is not offered, or null when it is. History across records is
	 * offered only for directory and conformance resources: a history Bundle cannot leave
	 * out the versions of people who refused to share without its gaps showing them.
	 */
	static String refusal(RestOperationTypeEnum interaction, String type, String operation) {
		if (interaction == null) {
			return "this request is not one this server offers";
		}
		if (interaction == RestOperationTypeEnum.EXTENDED_OPERATION_SERVER
				|| interaction == RestOperationTypeEnum.EXTENDED_OPERATION_TYPE
				|| interaction == RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE) {
			Level level = switch (interaction) {
				case EXTENDED_OPERATION_SERVER -> Level.SERVER;
				case EXTENDED_OPERATION_TYPE -> Level.TYPE;
				default -> Level.INSTANCE;
			};
			return offered(operation, level, type) ? null : "the operation " + operation + " is not offered "
					+ ((level == Level.SERVER) ? "at server level"
							: "on " + type + " at " + level.name().toLowerCase(java.util.Locale.ROOT) + " level")
					+ " here";
		}
		if (!INTERACTIONS.contains(interaction)) {
			return "the interaction " + interaction.getCode() + " is not offered here";
		}
		if (interaction == RestOperationTypeEnum.HISTORY_TYPE && type != null
				&& AccessPolicy.categoryOf(type) != AccessPolicy.Category.DIRECTORY
				&& AccessPolicy.categoryOf(type) != AccessPolicy.Category.CONFORMANCE) {
			return "history across all " + type + " records is not offered; read one record's history instead";
		}
		return null;
	}

	/**
	 * Reverse chaining ({@code _has}) into people's records is refused: its inner search
	 * is not narrowed by consent, so {@code Organization?_has:Patient:...} would tell
	 * which practice a hidden person is registered with. Into directory and conformance
	 * resources it is offered.
	 */
	static String reverseChainRefusal(java.util.Collection<String> parameters) {
		for (String parameter : parameters) {
			if (!parameter.startsWith("_has:")) {
				continue;
			}
			String[] parts = parameter.split(":", -1);
			if (parts.length > 1 && AccessPolicy.categoryOf(parts[1]) != AccessPolicy.Category.DIRECTORY
					&& AccessPolicy.categoryOf(parts[1]) != AccessPolicy.Category.CONFORMANCE) {
				return "reverse chaining (_has) into " + parts[1]
						+ " records is not offered; search those records instead";
			}
		}
		return null;
	}

	/**
	 * Why a search (or a conditional URL) on this type is not offered, or null: reverse
	 * chaining into people's records, and chains (also in {@code _sort}) that could reach
	 * a resource of a person other than the one the searched resource belongs to.
	 */
	private String searchRefusal(String type, Map<String, String[]> parameters) {
		if (parameters == null || parameters.isEmpty()) {
			return null;
		}
		String refused = reverseChainRefusal(parameters.keySet());
		for (Iterator<String> names = parameters.keySet().iterator(); refused == null && names.hasNext();) {
			refused = chainRefusal(type, names.next());
		}
		for (String sort : parameters.getOrDefault("_sort", new String[0])) {
			for (String key : sort.split(",")) {
				if (refused == null) {
					refused = chainRefusal(type, key.trim().replaceFirst("^-", ""));
				}
			}
		}
		return refused;
	}

	/**
	 * A chain ({@code subject:Patient.name}) is narrowed by consent only through the
	 * searched resource: the search leaves out resources labelled for the people whose
	 * compartment they are in, not the resources the chain passes through. So a chain is
	 * offered only where every resource it passes through is either a directory or
	 * conformance resource, or, in its first link, the Patient whose compartment the
	 * searched (clinical) resource is in through that very reference, and so whose label
	 * the searched resource carries. {@code Observation?focus:Patient.name=},
	 * {@code CareTeam?participant:RelatedPerson.name=} or
	 * {@code Patient?link:Patient.name=} could tell something of a hidden person from a
	 * visible resource, and are refused for every value, so the refusal says nothing of
	 * any person.
	 */
	String chainRefusal(String type, String name) {
		int dot = name.indexOf('.');
		if (type == null || name.startsWith("_") || dot < 0) {
			return null;
		}
		String[] links = name.split("\\.", -1);
		Set<String> from = Set.of(type);
		for (int i = 0; i < links.length - 1; i++) {
			String link = links[i];
			int colon = link.indexOf(':');
			String parameter = (colon >= 0) ? link.substring(0, colon) : link;
			String named = (colon >= 0) ? link.substring(colon + 1) : null;
			Set<String> reached = new java.util.TreeSet<>();
			for (String source : from) {
				RuntimeSearchParam reference = lookUp(source, parameter);
				if (reference == null || reference.getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
					return null; // not a chain HAPI can follow: it answers 400 itself
				}
				Set<String> targets = (named != null) ? Set.of(named) : targetsOf(source, reference);
				if (targets.isEmpty()) {
					return chainRefused(name, source + "." + parameter + " (any resource type)");
				}
				for (String target : targets) {
					AccessPolicy.Category category = AccessPolicy.categoryOf(target);
					boolean directory = category == AccessPolicy.Category.DIRECTORY
							|| category == AccessPolicy.Category.CONFORMANCE;
					boolean ownPatient = i == 0 && "Patient".equals(target) && !"Patient".equals(source)
							&& AccessPolicy.categoryOf(source) == AccessPolicy.Category.CLINICAL
							&& inPatientCompartmentThrough(source, parameter);
					if (!directory && !ownPatient) {
						return chainRefused(name, source + "." + parameter + " into " + target);
					}
					reached.add(target);
				}
			}
			from = reached;
		}
		return null;
	}

	/**
	 * The types a reference parameter can reach: those its path resolves to where every
	 * alternative of the path says ({@code Flag.subject.where(resolve() is Patient)}), as
	 * only those are indexed, else the parameter's declared targets.
	 */
	private static Set<String> targetsOf(String type, RuntimeSearchParam reference) {
		String path = reference.getPath();
		if (path == null || path.isBlank()) {
			return reference.getTargets();
		}
		Set<String> resolved = new java.util.TreeSet<>();
		for (String alternative : path.split("\\|")) {
			// a parameter shared by several types (clinical-patient) lists each type's
			// path
			if (!alternative.replace("(", "").trim().startsWith(type + ".")) {
				continue;
			}
			Matcher matcher = RESOLVES_TO.matcher(alternative);
			if (!matcher.find()) {
				return reference.getTargets();
			}
			resolved.add(matcher.group(1));
		}
		return resolved.isEmpty() ? reference.getTargets() : resolved;
	}

	/**
	 * Whether the reference parameter puts a resource of the type in the Patient
	 * compartment of whom it names: the same definitions by which a resource's people,
	 * and so its labels, are found ({@link PeopleOfRecords}). The search parameter
	 * registry's copies do not carry compartments.
	 */
	private boolean inPatientCompartmentThrough(String type, String parameter) {
		try {
			return this.fhirContext.getResourceDefinition(type)
				.getSearchParamsForCompartmentName("Patient")
				.stream()
				.anyMatch((compartment) -> compartment.getName().equals(parameter));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static String chainRefused(String name, String link) {
		return "the chain " + name + " (through " + link + ") is not offered: a chain may pass only through "
				+ "directory resources, or from a record to the Patient whose record it is by naming that type "
				+ "(such as subject:Patient.name); search the records it names instead";
	}

	private RuntimeSearchParam lookUp(String type, String name) {
		try {
			return this.searchParams.getActiveSearchParam(type, name, SearchParamLookupContextEnum.SEARCH);
		}
		catch (RuntimeException ex) {
			return null; // an unknown resource type: HAPI's to report
		}
	}

	/** The parameters of a URL's or a bare query's query. */
	private static Map<String, String[]> query(String urlOrQuery) {
		try {
			return UrlUtil.parseQueryString(urlOrQuery.substring(urlOrQuery.indexOf('?') + 1));
		}
		catch (IllegalArgumentException ex) {
			return Map.of(); // a malformed query: HAPI refuses it with 400
		}
	}

	private static boolean offered(String operation, Level level, String type) {
		return OPERATIONS.stream()
			.anyMatch((rule) -> rule.name().equals(operation) && rule.levels().contains(level)
					&& (rule.types().contains("*") || (type != null && rule.types().contains(type))));
	}

	/** An entry, classified from its method and URL as the same request on its own. */
	private String entryRefusal(BundleEntryComponent entry) {
		Bundle.HTTPVerb method = entry.getRequest().getMethod();
		String url = entry.getRequest().getUrl();
		if (method == null || url == null || url.isBlank()) {
			return null; // HAPI refuses an entry without a method or URL with 400
		}
		BundleEntryRequest request = BundleEntryRequest.parse(method, url);
		if (request == null) {
			throw new InvalidRequestException("Bundle.entry.request.url " + url + " is not a URL this server serves");
		}
		String refused = refusal(request.interaction(), request.type(), request.operation());
		if (refused == null && request.operation() != null && request.operation().startsWith("$export")) {
			// its answer is a status and headers, which a bundle entry cannot carry
			refused = "bulk export is not offered inside a batch or transaction; call " + request.operation()
					+ " on its own";
		}
		if (refused == null) {
			refused = searchRefusal(request.type(), query(url.contains("?") ? url : ""));
		}
		if (refused == null && entry.getRequest().hasIfNoneExist()) {
			refused = searchRefusal(request.type(), query(entry.getRequest().getIfNoneExist()));
		}
		return refused;
	}

	private record OperationRule(String name, Set<Level> levels, Set<String> types) {

	}

}
