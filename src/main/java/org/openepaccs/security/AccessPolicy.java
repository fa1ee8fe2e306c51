package org.openepaccs.security;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The access decisions, as values: what a caller may do to a resource type, from their
 * care role (the matrix in the README) and their SMART scopes. Both must allow it.
 * Enforcement ({@link FhirAccessInterceptor}) only applies these decisions, so one
 * table-driven test covers them.
 */
public final class AccessPolicy {

	/** Kinds of resource that the role matrix treats alike. */
	public enum Category {

		/** The person's record: everything that is not one of the others. */
		CLINICAL,

		/** Organisations and the people and services that work in them. */
		DIRECTORY,

		/** The conformance package and other definitions. */
		CONFORMANCE,

		/** The audit trail. */
		AUDIT,

		/**
		 * Disclosure-controlled counts about many people (MeasureReport): no person in
		 * them, yet only for the role whose work they are.
		 */
		AGGREGATE,

		/**
		 * What operations answer with (OperationOutcome, Parameters): holds no stored
		 * data, so whoever may call the operation may see it.
		 */
		ANSWER

	}

	/**
	 * Subscriptions count as directory entries: the systems of the organisations that
	 * subscribe (GP, out-of-hours and SPOC systems) manage them with their system
	 * integration role, and a notification carries no clinical content.
	 */
	private static final Set<String> DIRECTORY = Set.of("Organization", "Practitioner", "PractitionerRole", "Location",
			"HealthcareService", "Endpoint", "OrganizationAffiliation", "Subscription");

	private static final Set<String> CONFORMANCE = Set.of("StructureDefinition", "ValueSet", "CodeSystem",
			"SearchParameter", "OperationDefinition", "ConceptMap", "ImplementationGuide", "CapabilityStatement",
			"NamingSystem", "CompartmentDefinition", "StructureMap", "TerminologyCapabilities", "GraphDefinition",
			"MessageDefinition", "Measure");

	private static final Set<String> AGGREGATE = Set.of("MeasureReport");

	private static final Set<String> AUDIT = Set.of("AuditEvent");

	private static final Set<String> ANSWER = Set.of("OperationOutcome", "Parameters");

	/**
	 * What an out-of-hours clinician may write: the death and the place of death, and
	 * closing the register entry and flags that follow from it.
	 */
	private static final Map<String, Set<Interaction>> OOH_WRITES = Map.of("Patient", EnumSet.of(Interaction.UPDATE),
			"Observation", EnumSet.of(Interaction.CREATE, Interaction.UPDATE), "EpisodeOfCare",
			EnumSet.of(Interaction.UPDATE), "Flag", EnumSet.of(Interaction.UPDATE));

	private static final Set<Interaction> READS = EnumSet.of(Interaction.READ, Interaction.SEARCH);

	private static final Set<Interaction> ALL = EnumSet.allOf(Interaction.class);

	private static final Set<Interaction> ALL_BUT_DELETE = EnumSet.of(Interaction.CREATE, Interaction.READ,
			Interaction.UPDATE, Interaction.SEARCH);

	private static final Map<Role, Map<Category, Set<Interaction>>> MATRIX = new EnumMap<>(Role.class);

	static {
		MATRIX.put(Role.CLINICIAN,
				Map.of(Category.CLINICAL, ALL_BUT_DELETE, Category.DIRECTORY, READS, Category.CONFORMANCE, READS));
		MATRIX.put(Role.SYSTEM_INTEGRATION,
				Map.of(Category.CLINICAL, ALL, Category.DIRECTORY, ALL, Category.CONFORMANCE, READS));
		MATRIX.put(Role.OOH_CLINICIAN,
				Map.of(Category.CLINICAL, READS, Category.DIRECTORY, READS, Category.CONFORMANCE, READS));
		MATRIX.put(Role.SPOC_HUB,
				Map.of(Category.CLINICAL, READS, Category.DIRECTORY, READS, Category.CONFORMANCE, READS));
		// the ICB analyst reads aggregates only; no other role reads them: care roles
		// need people's records, not counts, and admin administers the service. Nobody
		// writes them through the API: the server makes them.
		MATRIX.put(Role.ICB_ANALYST,
				Map.of(Category.DIRECTORY, READS, Category.CONFORMANCE, READS, Category.AGGREGATE, READS));
		MATRIX.put(Role.ADMIN, Map.of(Category.DIRECTORY, ALL, Category.CONFORMANCE, ALL, Category.AUDIT, READS));
	}

	private AccessPolicy() {
	}

	public static Category categoryOf(String resourceType) {
		if (DIRECTORY.contains(resourceType)) {
			return Category.DIRECTORY;
		}
		if (CONFORMANCE.contains(resourceType)) {
			return Category.CONFORMANCE;
		}
		if (AUDIT.contains(resourceType)) {
			return Category.AUDIT;
		}
		if (AGGREGATE.contains(resourceType)) {
			return Category.AGGREGATE;
		}
		if (ANSWER.contains(resourceType)) {
			return Category.ANSWER;
		}
		return Category.CLINICAL;
	}

	/** What the role alone allows, before scopes. */
	public static boolean roleAllows(Role role, String resourceType, Interaction interaction) {
		if (role == null) {
			return false;
		}
		if (categoryOf(resourceType) == Category.ANSWER) {
			return READS.contains(interaction);
		}
		if (role == Role.OOH_CLINICIAN && OOH_WRITES.getOrDefault(resourceType, Set.of()).contains(interaction)) {
			return true;
		}
		return MATRIX.get(role).getOrDefault(categoryOf(resourceType), Set.of()).contains(interaction);
	}

	public static Decision decide(Caller caller, String resourceType, Interaction interaction) {
		String doing = interaction.name().toLowerCase(java.util.Locale.ROOT) + " " + resourceType;
		if (caller.role() == null) {
			return Decision.deny("the access token names no role this server knows, so it may not " + doing);
		}
		if (!roleAllows(caller.role(), resourceType, interaction)) {
			return Decision.deny("the role " + caller.role().claimValue() + " may not " + doing);
		}
		if (!caller.hasScope(resourceType, interaction)) {
			return Decision.deny("no scope of the access token allows " + doing + ": it needs a scope that grants it, "
					+ scopesGranting(resourceType, interaction));
		}
		if (caller.onlyPatientScoped(resourceType, interaction)) {
			if (caller.patient() == null) {
				return Decision.deny("a patient/ scope needs a patient in the token's launch context to " + doing);
			}
			if (categoryOf(resourceType) == Category.DIRECTORY || categoryOf(resourceType) == Category.CONFORMANCE) {
				// directory and conformance resources describe the services, staff and
				// rules that a person's record names, not the person: a patient/ scope
				// bounds the person's data, and these lie outside every compartment
				return new Decision(true, null, null);
			}
			return new Decision(true, caller.patient(), null);
		}
		return new Decision(true, null, null);
	}

	/**
	 * The scopes that would grant an interaction, named so that a client (or whoever
	 * configures its issuer) knows what to ask for.
	 */
	static String scopesGranting(String resourceType, Interaction interaction) {
		String v2 = resourceType + "." + interaction.letter();
		String v1 = (interaction == Interaction.READ || interaction == Interaction.SEARCH) ? "read" : "write";
		return "such as system/" + v2 + ", user/" + v2 + " or patient/" + v2 + " (or *." + interaction.letter()
				+ " for every type, or SMART v1 " + resourceType + "." + v1 + ")";
	}

	/**
	 * One decision.
	 *
	 * @param allowed whether the interaction is allowed
	 * @param patientCompartment when allowed only within one patient's compartment, that
	 * patient's id
	 * @param reason why not, when not allowed
	 */
	public record Decision(boolean allowed, String patientCompartment, String reason) {

		static Decision deny(String reason) {
			return new Decision(false, null, reason);
		}

	}

}
