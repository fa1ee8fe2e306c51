package org.openepaccs.summary;

import java.util.List;

import org.hl7.fhir.r4.model.Observation;

import static org.openepaccs.summary.Wording.appendValue;
import static org.openepaccs.summary.Wording.text;

/** Functional status: the scores that stand, newest first. */
final class FunctionalStatusSection {

	private FunctionalStatusSection() {
	}

	static Section of(PlanRecord record, Names names, SummaryCodes codes) {
		Section section = new Section("Functional status", SectionCode.FUNCTIONAL_STATUS);
		List<Observation> scores = Observations
			.newestFirst(Observations.current(record.all(Observation.class), codes.functionalStatus()));
		if (scores.isEmpty()) {
			section.text().paragraph("No functional status recorded.");
		}
		for (Observation score : scores) {
			StringBuilder line = new StringBuilder(text(score.getCode()));
			appendValue(line, score.getValue(), ": ");
			line.append(Observations.effective(score));
			section.add(score, line.toString(), names, record, false);
		}
		return section;
	}

}
