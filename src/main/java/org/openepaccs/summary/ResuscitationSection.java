package org.openepaccs.summary;

import java.util.List;

import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Flag;
import org.openepaccs.conformance.ConformancePackage;

import static org.openepaccs.summary.Wording.text;

/**
 * CPR decision and ReSPECT recommendations: the CPR decisions that stand, then each
 * active emergency plan with its care priority and its recommendations, those not to
 * perform in bold.
 */
final class ResuscitationSection {

	private static final String PRIORITY_SCALE = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-respect-priority-scale";

	private ResuscitationSection() {
	}

	static Section of(PlanRecord record, Names names, SummaryCodes codes) {
		Section section = new Section("CPR decision and ReSPECT recommendations", SectionCode.ADVANCE_DIRECTIVES);
		List<Flag> decisions = record.all(Flag.class)
			.stream()
			.filter((flag) -> flag.getStatus() == Flag.FlagStatus.ACTIVE
					&& SummaryCodes.in(flag.getCode(), codes.cprDecision()))
			.toList();
		if (decisions.isEmpty()) {
			section.text().paragraph("No CPR decision recorded.");
		}
		for (Flag decision : decisions) {
			StringBuilder line = new StringBuilder("CPR decision: ").append(text(decision.getCode()));
			if (decision.getPeriod().hasStart()) {
				line.append(", made ").append(SectionText.when(decision.getPeriod().getStartElement()));
			}
			if (decision.getPeriod().hasEnd()) {
				line.append(", review by ").append(SectionText.when(decision.getPeriod().getEndElement()));
			}
			if (decision.hasAuthor()) {
				line.append(", by ").append(names.of(decision.getAuthor()));
			}
			section.add(decision, line.toString(), names, record, true);
		}
		for (CarePlan plan : CarePlans.active(record, codes, true)) {
			StringBuilder line = new StringBuilder(plan.hasTitle() ? plan.getTitle() : text(plan.getCategory()));
			CarePlans.reviewDate(plan).ifPresent((date) -> line.append(", review by ").append(date));
			Extension scale = plan.getExtensionByUrl(PRIORITY_SCALE);
			if (scale != null) {
				Extension position = scale.getExtensionByUrl("scale");
				Extension statement = scale.getExtensionByUrl("statement");
				if (position != null && position.hasValue()) {
					line.append("; care priority ")
						.append(position.getValue().primitiveValue())
						.append(" on the scale from 0 (prioritise sustaining life) to 100 (prioritise comfort)");
				}
				if (statement != null && statement.hasValue()) {
					line.append("; in the person's words: \"")
						.append(statement.getValue().primitiveValue())
						.append('"');
				}
			}
			section.add(plan, line.toString(), names, record, false);
			for (CarePlan.CarePlanActivityComponent activity : plan.getActivity()) {
				CarePlan.CarePlanActivityDetailComponent detail = activity.getDetail();
				String recommendation = (detail.getDoNotPerform() ? "Not recommended: " : "Recommended: ")
						+ text(detail.getCode()) + (detail.hasDescription() ? " - " + detail.getDescription() : "");
				section.text().item(recommendation, null, detail.getDoNotPerform());
			}
		}
		return section;
	}

}
