package org.openepaccs.summary;

import java.util.ArrayList;
import java.util.List;

import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.Reference;

import static org.openepaccs.summary.Wording.text;

/**
 * Advance care plan and what matters to the person: each active plan that is not an
 * emergency plan (those show with the CPR decision), with its goals and notes.
 */
final class AdvanceCarePlanSection {

	private AdvanceCarePlanSection() {
	}

	static Section of(PlanRecord record, Names names, SummaryCodes codes) {
		Section section = new Section("Advance care plan and what matters to the person", SectionCode.PLAN_OF_CARE);
		List<CarePlan> plans = CarePlans.active(record, codes, false);
		if (plans.isEmpty()) {
			section.text().paragraph("No advance care plan recorded.");
		}
		for (CarePlan plan : plans) {
			StringBuilder line = new StringBuilder(plan.hasTitle() ? plan.getTitle() : text(plan.getCategory()));
			if (plan.getPeriod().hasStart()) {
				line.append(", from ").append(SectionText.when(plan.getPeriod().getStartElement()));
			}
			CarePlans.reviewDate(plan).ifPresent((date) -> line.append(", review by ").append(date));
			if (plan.hasAuthor()) {
				line.append(", by ").append(names.of(plan.getAuthor()));
			}
			if (plan.hasDescription()) {
				line.append(": ").append(plan.getDescription());
			}
			section.add(plan, line.toString(), names, record, false);
			List<String> matters = new ArrayList<>();
			for (Reference goal : plan.getGoal()) {
				if (goal.getResource() instanceof Goal contained) {
					matters.add(text(contained.getDescription()));
				}
				else if (goal.getReference() != null && goal.getReference().startsWith("#")) {
					plan.getContained()
						.stream()
						.filter((resource) -> resource instanceof Goal
								&& goal.getReference().substring(1).equals(resource.getIdElement().getIdPart()))
						.forEach((resource) -> matters.add(text(((Goal) resource).getDescription())));
				}
				else {
					matters.add(names.of(goal));
				}
			}
			if (!matters.isEmpty()) {
				section.text().paragraph("What matters: " + String.join("; ", matters));
			}
			plan.getNote().forEach((note) -> section.text().paragraph("Note: " + note.getText()));
		}
		return section;
	}

}
