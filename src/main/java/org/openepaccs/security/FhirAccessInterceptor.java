package org.openepaccs.security;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilder;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOp;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOpClassifier;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.common.PlanSummaryNames;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Applies the {@link AccessPolicy} to every FHIR interaction. A direct request gets its
 * decision first, with the reason in a 403 OperationOutcome; then HAPI's
 * {@link AuthorizationInterceptor}, with rules built from the same decisions, checks
 * everything a request touches: each transaction entry, {@code _include}d and
 * {@code _revinclude}d resources, history, operations, and the patient compartment of a
 * {@code patient/} scope.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class FhirAccessInterceptor extends AuthorizationInterceptor implements FhirServerInterceptor {

	/** Operations that only read, allowed to anyone who may read the type. */
	private static final List<String> READ_OPERATIONS = List.of("$validate", "$everything", "$meta", "$expand",
			"$lookup", "$validate-code", "$subsumes", "$translate", "$review-worklist", "$epaccs-summary",
			"$evaluate-measure");

	/**
	 * Operations that are searches of their resource type: decided as a search of it, so
	 * a role that may not search the type is refused up front rather than answered with
	 * an empty result.
	 */
	private static final List<String> SEARCH_OPERATIONS = List.of("$review-worklist");

	/**
	 * Operations that answer with an aggregate: decided as a search of the aggregate type
	 * they answer with, whatever resource they are called on, so that only a role that
	 * may read aggregates may run them (a Measure is readable by everyone).
	 */
	private static final Map<String, String> AGGREGATE_OPERATIONS = Map.of("$evaluate-measure", "MeasureReport");

	private final Callers callers;

	private final List<String> resourceTypes;

	/** Rules depend only on the decision inputs, so equal callers share them. */
	private final Map<RuleKey, List<IAuthRule>> rulesByCaller = new ConcurrentHashMap<>();

	FhirAccessInterceptor(Callers callers, FhirContext fhirContext) {
		super(PolicyEnum.DENY);
		this.callers = callers;
		this.resourceTypes = fhirContext.getResourceTypes().stream().sorted().toList();
	}

	/** The precise decision for what the request itself asks, with a reason. */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -10)
	public void decideRequest(RequestDetails request, RestOperationTypeEnum operation) {
		Optional<Caller> caller = this.callers.current();
		Interaction interaction = (operation == RestOperationTypeEnum.EXTENDED_OPERATION_TYPE
				&& SEARCH_OPERATIONS.contains(request.getOperation())) ? Interaction.SEARCH : interactionOf(operation);
		String type = request.getResourceName();
		if (request.getOperation() != null && AGGREGATE_OPERATIONS.containsKey(request.getOperation())) {
			interaction = Interaction.SEARCH;
			type = AGGREGATE_OPERATIONS.get(request.getOperation());
		}
		if (caller.isEmpty() || interaction == null || type == null) {
			return; // anonymous requests reach only the CapabilityStatement; the rules
					// cover the rest
		}
		if (interaction == Interaction.READ && "Binary".equals(type)
				&& ExportOutputs.readsExportOutputs(caller.get())) {
			return; // the files of its own exports, and no other Binary (ExportOutputs)
		}
		AccessPolicy.Decision decision = AccessPolicy.decide(caller.get(), type, interaction);
		if (!decision.allowed()) {
			throw AccessDenied.because(decision.reason());
		}
	}

	/**
	 * {@code $everything} returns the whole patient compartment, which also holds records
	 * the caller may not read; without a {@code _type} of the client's own it is limited
	 * to the types the caller may read, instead of failing as a whole. The audit trail is
	 * never part of it: it is kept apart from the record, and searched on its own.
	 */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean limitEverything(RequestDetails request) {
		if (!"$everything".equals(request.getOperation()) || request.getParameters().containsKey("_type")) {
			return true;
		}
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty()) {
			return true;
		}
		String readable = this.resourceTypes.stream()
			.filter((type) -> AccessPolicy.categoryOf(type) != AccessPolicy.Category.ANSWER
					&& AccessPolicy.categoryOf(type) != AccessPolicy.Category.AUDIT)
			.filter((type) -> AccessPolicy.decide(caller.get(), type, Interaction.READ).allowed())
			.collect(java.util.stream.Collectors.joining(","));
		if (!readable.isEmpty()) {
			request.addParameter("_type", new String[] { readable });
		}
		return true;
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		Optional<Caller> caller = this.callers.current();
		if (caller.isEmpty()) {
			return new RuleBuilder().allow("the CapabilityStatement is public").metadata().build();
		}
		if (this.rulesByCaller.size() > 10_000) {
			this.rulesByCaller.clear(); // patient-scoped tokens make one key per patient
		}
		return this.rulesByCaller.computeIfAbsent(RuleKey.of(caller.get()), (key) -> rules(caller.get()));
	}

	private List<IAuthRule> rules(Caller caller) {
		IAuthRuleBuilder rules = new RuleBuilder();
		rules.allow("the CapabilityStatement is public").metadata();
		boolean mayReadAnything = false;
		boolean mayChangeAnything = false;
		for (String type : this.resourceTypes) {
			AccessPolicy.Decision read = AccessPolicy.decide(caller, type, Interaction.READ);
			if (!read.allowed()) {
				read = AccessPolicy.decide(caller, type, Interaction.SEARCH);
			}
			if (read.allowed()) {
				mayReadAnything = true;
				allow(rules.allow().read(), type, read);
			}
			AccessPolicy.Decision update = AccessPolicy.decide(caller, type, Interaction.UPDATE);
			AccessPolicy.Decision create = AccessPolicy.decide(caller, type, Interaction.CREATE);
			if (update.allowed()) {
				// HAPI's write rule covers create and update; the request-level decision
				// above keeps them apart for direct requests
				mayChangeAnything = true;
				allow(rules.allow().write(), type, update);
			}
			else if (create.allowed()) {
				mayChangeAnything = true;
				allow(rules.allow().create(), type, create);
			}
			AccessPolicy.Decision delete = AccessPolicy.decide(caller, type, Interaction.DELETE);
			if (delete.allowed()) {
				mayChangeAnything = true;
				allow(rules.allow().delete(), type, delete);
			}
		}
		AccessPolicy.Decision readPatient = AccessPolicy.decide(caller, "Patient", Interaction.READ);
		if (readPatient.allowed() && readPatient.patientCompartment() != null) {
			// the summary of the patient in context is built from that patient's record
			// only (consent is applied as it is built); it also names the server that
			// wrote it (a Device), which no patient compartment holds
			rules.allow("the plan summary of the patient in context")
				.operation()
				.named(PlanSummaryNames.OPERATION)
				.onInstance(new IdType("Patient", readPatient.patientCompartment()))
				.andAllowAllResponses();
		}
		if (mayReadAnything) {
			for (String operation : READ_OPERATIONS) {
				// what the operation returns is checked against the read rules
				rules.allow().operation().named(operation).atAnyLevel().andRequireExplicitResponseAuthorization();
			}
		}
		if (mayChangeAnything) {
			rules.allow().patch().allRequests();
		}
		if (mayReadAnything || mayChangeAnything) {
			rules.allow().transaction().withAnyOperation().andApplyNormalRules();
		}
		if (caller.role() == Role.SYSTEM_INTEGRATION || caller.role() == Role.ADMIN) {
			// who may export what (a practice, or the ICB), and what the files hold, is
			// decided by the export feature; the poll and the files belong to the caller
			// who started the export (ExportOwners)
			rules.allow("bulk export").operation().named("$export").atAnyLevel().andAllowAllResponses();
			rules.allow("bulk export status")
				.operation()
				.named("$export-poll-status")
				.onServer()
				.andAllowAllResponses();
			rules.allow("bulk export").bulkExport().any();
		}
		if (ExportOutputs.readsExportOutputs(caller)) {
			rules.allow("the files of its own exports").read().resourcesOfType("Binary").withAnyId();
		}
		if (caller.role() == Role.ADMIN) {
			// what an operation returns still goes through the read rules: no clinical
			// data
			rules.allow("administration")
				.operation()
				.withAnyName()
				.atAnyLevel()
				.andRequireExplicitResponseAuthorization();
		}
		return rules.denyAll("Access denied: nothing in the access token allows this").build();
	}

	/**
	 * The rule for an allowed interaction: on any resource of the type, or in one
	 * compartment.
	 */
	private static void allow(IAuthRuleBuilderRuleOp interaction, String type, AccessPolicy.Decision decision) {
		IAuthRuleBuilderRuleOpClassifier ofType = interaction.resourcesOfType(type);
		if (decision.patientCompartment() == null) {
			ofType.withAnyId();
		}
		else {
			ofType.inCompartment("Patient", new IdType("Patient", decision.patientCompartment()));
		}
	}

	static Interaction interactionOf(RestOperationTypeEnum operation) {
		if (operation == null) {
			return null;
		}
		return switch (operation) {
			case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE -> Interaction.READ;
			case SEARCH_TYPE -> Interaction.SEARCH;
			case CREATE -> Interaction.CREATE;
			case UPDATE, PATCH -> Interaction.UPDATE;
			case DELETE -> Interaction.DELETE;
			default -> null;
		};
	}

	private record RuleKey(Role role, List<SmartScope> scopes, String patient) {

		static RuleKey of(Caller caller) {
			return new RuleKey(caller.role(), caller.scopes(), caller.patient());
		}

	}

}
