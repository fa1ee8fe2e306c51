package org.openepaccs.security;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.util.UrlUtil;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.common.BundleEntryRequest;
import org.openepaccs.common.PlanSummaryNames;
import org.openepaccs.server.FhirServerInterceptor;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The closed world: every request, and every entry of a batch or transaction as if it
 * were a request of its own, is classified against an explicit table of what this server
 * offers; anything the table does not name is refused with 403, so a HAPI feature or an
 * operation nobody has classified is closed until someone does. What a classified request
 * may then touch is for {@link FhirAccessInterceptor} (role and scopes) and
 * {@link ConsentToShareInterceptor} (consent to share).
 */
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class AccessGate implements FhirServerInterceptor {

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
			new OperationRule("$validate", Set.of(Level.TYPE), Set.of("*")),
			new OperationRule("$expand", Set.of(Level.TYPE, Level.INSTANCE), Set.of("ValueSet")),
			new OperationRule("$validate-code", Set.of(Level.TYPE, Level.INSTANCE), Set.of("ValueSet", "CodeSystem")),
			new OperationRule("$lookup", Set.of(Level.TYPE, Level.INSTANCE), Set.of("CodeSystem")),
			new OperationRule("$subsumes", Set.of(Level.TYPE, Level.INSTANCE), Set.of("CodeSystem")),
			new OperationRule("$translate", Set.of(Level.TYPE, Level.INSTANCE), Set.of("ConceptMap")),
			new OperationRule("$snapshot", Set.of(Level.TYPE, Level.INSTANCE), Set.of("StructureDefinition")));

	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -50)
	public void classify(RequestDetails request) {
		RestOperationTypeEnum interaction = request.getRestOperationType();
		String refused = refusal(interaction, request.getResourceName(), request.getOperation());
		if (refused != null) {
			throw forbidden(refused);
		}
		String reverseChain = reverseChainRefusal(request.getParameters().keySet());
		if (reverseChain == null && request.getHeader("If-None-Exist") != null) {
			reverseChain = reverseChainRefusal(queryKeys(request.getHeader("If-None-Exist")));
		}
		if (reverseChain != null) {
			throw forbidden(reverseChain);
		}
		if ((interaction == RestOperationTypeEnum.TRANSACTION || interaction == RestOperationTypeEnum.BATCH)
				&& request.getResource() instanceof Bundle bundle) {
			List<BundleEntryComponent> entries = bundle.getEntry();
			for (int i = 0; i < entries.size(); i++) {
				String entryRefusal = entryRefusal(entries.get(i));
				if (entryRefusal != null) {
					throw forbidden("Bundle.entry[" + i + "]: " + entryRefusal);
				}
			}
		}
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

	/** The parameter names of a URL's or a bare query's query. */
	private static java.util.Collection<String> queryKeys(String urlOrQuery) {
		try {
			return UrlUtil.parseQueryString(urlOrQuery.substring(urlOrQuery.indexOf('?') + 1)).keySet();
		}
		catch (IllegalArgumentException ex) {
			return java.util.List.of(); // a malformed query: HAPI refuses it with 400
		}
	}

	private static boolean offered(String operation, Level level, String type) {
		return OPERATIONS.stream()
			.anyMatch((rule) -> rule.name().equals(operation) && rule.levels().contains(level)
					&& (rule.types().contains("*") || (type != null && rule.types().contains(type))));
	}

	/** An entry, classified from its method and URL as the same request on its own. */
	private static String entryRefusal(BundleEntryComponent entry) {
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
		if (refused == null) {
			refused = reverseChainRefusal(queryKeys(url.contains("?") ? url : ""));
		}
		if (refused == null && entry.getRequest().hasIfNoneExist()) {
			refused = reverseChainRefusal(queryKeys(entry.getRequest().getIfNoneExist()));
		}
		return refused;
	}

	private static ForbiddenOperationException forbidden(String reason) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(OperationOutcome.IssueType.FORBIDDEN)
			.setDiagnostics("Access denied: " + reason);
		return new ForbiddenOperationException("Access denied: " + reason, outcome);
	}

	private record OperationRule(String name, Set<Level> levels, Set<String> types) {

	}

}
