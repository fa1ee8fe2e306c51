package org.openepaccs.register;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a person died where they had chosen: their first-choice preferred place of
 * death (one of the UK "Preferred place of death: …" findings) against the actual place
 * (one of PRSB's "Died in …" findings), both SNOMED CT.
 * <p>
 * The pairs are ours, between existing codes: a place type matches the "died in" finding
 * for the same type. "Usual place of residence" is achieved by dying at home or in a care
 * home, "care home" by a nursing or residential home, "hospice community lodge" by a
 * hospice, and "community hospital" by a community hospital or a hospital. The answers
 * that are not places (undecided, declined, unable to express, discussion not
 * appropriate, no preference) decide nothing.
 */
final class PreferredPlaceOfDeath {

	private static final String DIED_AT_HOME = "876879006";

	private static final String DIED_IN_HOSPICE = "876882001";

	private static final String DIED_IN_HOSPITAL = "183676005";

	private static final String DIED_IN_COMMUNITY_HOSPITAL = "713049009";

	private static final String DIED_IN_NURSING_HOME = "876884000";

	private static final String DIED_IN_RESIDENTIAL_HOME = "1325731000000106";

	/** Preferred place of death code → the actual places that achieve it. */
	private static final Map<String, Set<String>> ACHIEVED_BY = Map.ofEntries(
			Map.entry("110481000000108", Set.of(DIED_AT_HOME)), // home
			Map.entry("819211000000102", Set.of(DIED_AT_HOME, DIED_IN_NURSING_HOME, DIED_IN_RESIDENTIAL_HOME)),
			Map.entry("710571000000101", Set.of(DIED_IN_NURSING_HOME, DIED_IN_RESIDENTIAL_HOME)), // care
																									// home
			Map.entry("89761000000106", Set.of(DIED_IN_NURSING_HOME)), // nursing home
			Map.entry("512071000000106", Set.of(DIED_IN_RESIDENTIAL_HOME)), // residential
																			// home
			Map.entry("108401000000102", Set.of(DIED_IN_HOSPICE)), // hospice
			Map.entry("931401000000103", Set.of(DIED_IN_HOSPICE)), // hospice community
																	// lodge
			Map.entry("109401000000108", Set.of(DIED_IN_HOSPITAL)), // hospital
			Map.entry("89751000000108", Set.of(DIED_IN_COMMUNITY_HOSPITAL, DIED_IN_HOSPITAL)),
			Map.entry("518741000000100", Set.of("713050009")), // learning disability unit
			Map.entry("518771000000106", Set.of("713051008"))); // mental health unit

	private PreferredPlaceOfDeath() {
	}

	/**
	 * @param preferred the first-choice preferred place of death code
	 * @param actual the actual place of death code
	 * @return achieved or not; empty when the preference names no place
	 */
	static Optional<Boolean> achieved(String preferred, String actual) {
		Set<String> places = ACHIEVED_BY.get(preferred);
		return (places != null) ? Optional.of(places.contains(actual)) : Optional.empty();
	}

	/** Every preferred place of death code, places or not. */
	static Set<String> codes() {
		Set<String> all = new java.util.HashSet<>(ACHIEVED_BY.keySet());
		all.addAll(NOT_A_PLACE);
		return all;
	}

	static boolean isPreferredPlaceOfDeath(String code) {
		return ACHIEVED_BY.containsKey(code) || NOT_A_PLACE.contains(code);
	}

	/** The preferred-place-of-death answers that name no place. */
	private static final Set<String> NOT_A_PLACE = Set.of("517131000000106", "766391000000108", "517111000000103",
			"517161000000101", "1060941000000102");

}
