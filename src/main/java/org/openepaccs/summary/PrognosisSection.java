package org.openepaccs.summary;

import java.util.List;

import org.hl7.fhir.r4.model.Observation;

import static org.openepaccs.summary.Wording.text;

/**
 * Prognosis and awareness: the prognoses that stand, then what the person knows of it,
 * each newest first.
 */
final class PrognosisSection {

	private PrognosisSection() {
	}

	static Section of(PlanRecord record, Names names, SummaryCodes codes) {
		Section section = new Section("Prognosis and awareness", SectionCode.PROBLEMS);
		List<Observation> prognoses = Observations
			.newestFirst(Observations.current(record.all(Observation.class), codes.prognosis()));
		List<Observation> awareness = Observations
			.newestFirst(Observations.current(record.all(Observation.class), codes.prognosisAwareness()));
		if (prognoses.isEmpty() && awareness.isEmpty()) {
			section.text().paragraph("No prognosis recorded.");
		}
		for (Observation observation : prognoses) {
			section.add(observation, "Prognosis: " + text(observation.getCode()) + Observations.effective(observation),
					names, record, false);
		}
		for (Observation observation : awareness) {
			section.add(observation, "Awareness: " + text(observation.getCode()) + Observations.effective(observation),
					names, record, false);
		}
		return section;
	}

}
