package org.openepaccs.summary;

import java.util.List;
import java.util.Optional;

import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Extension;
import org.openepaccs.conformance.ConformancePackage;

/**
 * The record's active CarePlans, told apart as two sections show them: the emergency
 * plans that carry treatment recommendations (ReSPECT and the like) beside the CPR
 * decision, every other plan as the advance care plan.
 */
final class CarePlans {

	private static final String REVIEW_DATE = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-plan-review-date";

	private CarePlans() {
	}

	static List<CarePlan> active(PlanRecord record, SummaryCodes codes, boolean emergency) {
		return record.all(CarePlan.class)
			.stream()
			.filter((plan) -> plan.getStatus() == CarePlan.CarePlanStatus.ACTIVE
					&& SummaryCodes.in(plan.getCategory(), codes.emergencyPlans()) == emergency)
			.toList();
	}

	static Optional<String> reviewDate(CarePlan plan) {
		Extension review = plan.getExtensionByUrl(REVIEW_DATE);
		if (review != null && review.getValue() instanceof BaseDateTimeType date) {
			return Optional.ofNullable(SectionText.when(date));
		}
		return Optional.empty();
	}

}
