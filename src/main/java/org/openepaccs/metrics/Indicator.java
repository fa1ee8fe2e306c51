package org.openepaccs.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The seven indicators, by the id of their Measure in the package
 * ({@code profiles/Measure-*.json}), with their groups in the Measure's order.
 */
enum Indicator {

	REGISTER_SIZE("epaccs-register-size", false, "on-register", "added-to-register"),
	DEATHS_ON_REGISTER("epaccs-deaths-on-register", true, "died-on-register"),
	REGISTER_CARE_PLANNING("epaccs-register-care-planning", true, "advance-care-plan",
			"preferred-place-of-death-recorded", "cpr-decision", "anticipatory-medicines", "key-worker",
			"plan-reviewed"),
	PREFERRED_PLACE_ACHIEVED("epaccs-preferred-place-achieved", true, "preferred-place-achieved"),
	USUAL_RESIDENCE_DEATHS("epaccs-usual-residence-deaths", true, "usual-place-of-residence"),
	CYP_REGISTER("epaccs-cyp-register", true, "cyp-advance-care-plan"),
	EMERGENCY_ADMISSIONS("epaccs-emergency-admissions", true, "emergency-admissions");

	private final String measureId;

	private final boolean proportion;

	private final List<String> groups;

	Indicator(String measureId, boolean proportion, String... groups) {
		this.measureId = measureId;
		this.proportion = proportion;
		this.groups = List.of(groups);
	}

	String measureId() {
		return this.measureId;
	}

	String measureUrl() {
		return org.openepaccs.conformance.ConformancePackage.CANONICAL_BASE + "/Measure/" + this.measureId;
	}

	/** A proportion (denominator and numerator), or a cohort (one count). */
	boolean proportion() {
		return this.proportion;
	}

	List<String> groups() {
		return this.groups;
	}

	List<String> populations() {
		return this.proportion ? List.of(Tabulation.DENOMINATOR, Tabulation.NUMERATOR)
				: List.of(Tabulation.INITIAL_POPULATION);
	}

	static Optional<Indicator> ofMeasure(String id) {
		return Arrays.stream(values()).filter((indicator) -> indicator.measureId.equals(id)).findFirst();
	}

}
