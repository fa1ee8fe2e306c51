package org.openepaccs.summary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.hl7.fhir.r4.model.Observation;
import org.openepaccs.records.RecordMeanings;

import static org.openepaccs.summary.Wording.appendValue;
import static org.openepaccs.summary.Wording.text;

/**
 * Preferred places of care and death: the preferences that stand, places of death before
 * places of care, each in order of choice; the first choice of place of death in bold.
 */
final class PreferredPlacesSection {

	private PreferredPlacesSection() {
	}

	static Section of(PlanRecord record, Names names, SummaryCodes codes) {
		Section section = new Section("Preferred places of care and death", SectionCode.PATIENT_STORY);
		List<Observation> preferences = new ArrayList<>();
		preferences.addAll(ranked(Observations.current(record.all(Observation.class), codes.preferredPlaceOfDeath())));
		preferences.addAll(ranked(Observations.current(record.all(Observation.class), codes.preferredPlaceOfCare())));
		if (preferences.isEmpty()) {
			section.text().paragraph("No preferred place of care or death recorded.");
		}
		for (Observation preference : preferences) {
			boolean ofDeath = SummaryCodes.in(preference.getCode(), codes.preferredPlaceOfDeath());
			int rank = RecordMeanings.rank(preference);
			StringBuilder line = new StringBuilder((rank == 1) ? "1st choice: " : (rank == 2) ? "2nd choice: " : "");
			line.append(text(preference.getCode()));
			appendValue(line, preference.getValue(), " - ");
			if (preference.hasDataAbsentReason()) {
				line.append(" (").append(text(preference.getDataAbsentReason())).append(")");
			}
			if (preference.hasEffectiveDateTimeType()) {
				line.append(", stated ").append(SectionText.when(preference.getEffectiveDateTimeType()));
			}
			section.add(preference, line.toString(), names, record, ofDeath && rank == 1);
		}
		return section;
	}

	/** In order of choice; a preference without a rank after those with one. */
	private static List<Observation> ranked(List<Observation> observations) {
		return observations.stream().sorted(Comparator.comparingInt((Observation o) -> {
			int rank = RecordMeanings.rank(o);
			return (rank > 0) ? rank : Integer.MAX_VALUE;
		})).toList();
	}

}
