package org.openepaccs.summary;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import org.hl7.fhir.r4.model.Observation;

/**
 * How the sections that show Observations pick and order them: those of a section's codes
 * that still stand, newest first, each with when it was observed.
 */
final class Observations {

	private Observations() {
	}

	/** Observations with one of these codes that still stand. */
	static List<Observation> current(List<Observation> observations, Set<String> codes) {
		return observations.stream()
			.filter((observation) -> observation.getStatus() != Observation.ObservationStatus.ENTEREDINERROR
					&& observation.getStatus() != Observation.ObservationStatus.CANCELLED
					&& SummaryCodes.in(observation.getCode(), codes))
			.toList();
	}

	static List<Observation> newestFirst(List<Observation> observations) {
		return observations.stream()
			.sorted(Comparator.comparing(
					(Observation o) -> o.hasEffectiveDateTimeType() ? o.getEffectiveDateTimeType().getValue() : null,
					Comparator.nullsFirst(Comparator.naturalOrder()))
				.reversed())
			.toList();
	}

	/**
	 * When it was observed, as the end of a narrative line, or nothing when not known.
	 */
	static String effective(Observation observation) {
		return observation.hasEffectiveDateTimeType() ? ", " + SectionText.when(observation.getEffectiveDateTimeType())
				: "";
	}

}
