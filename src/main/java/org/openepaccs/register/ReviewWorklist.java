package org.openepaccs.register;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Extension;

/**
 * Which care plans are due for review, and how overdue each is: a pure rule, tested
 * without a database. A plan is due on its review date; a plan without one is due a set
 * number of months after it was last changed ("no review in N months").
 */
final class ReviewWorklist {

	static final String REVIEW_DATE = "https://fhir.openepaccs.org/StructureDefinition/epaccs-plan-review-date";

	private static final ZoneId ENGLAND = ZoneId.of("Europe/London");

	private ReviewWorklist() {
	}

	/** A plan that is due, and by how many days. */
	record Due(CarePlan plan, LocalDate dueOn, long daysOverdue) {

	}

	/** The plans due by {@code today}, most overdue first. */
	static List<Due> due(List<CarePlan> plans, int monthsWithoutReview, LocalDate today) {
		return plans.stream()
			.map((plan) -> dueOn(plan, monthsWithoutReview)
				.map((on) -> new Due(plan, on, ChronoUnit.DAYS.between(on, today))))
			.flatMap(Optional::stream)
			.filter((due) -> due.dueOn().isBefore(today))
			.sorted(Comparator.comparingLong(Due::daysOverdue)
				.reversed()
				.thenComparing((due) -> due.plan().getIdElement().getIdPart()))
			.toList();
	}

	static Optional<LocalDate> dueOn(CarePlan plan, int monthsWithoutReview) {
		Extension review = plan.getExtensionByUrl(REVIEW_DATE);
		if (review != null && review.getValue() instanceof BaseDateTimeType date && date.getValue() != null) {
			return Optional.of(date.getValue().toInstant().atZone(ENGLAND).toLocalDate());
		}
		Date changed = plan.getMeta().getLastUpdated();
		return (changed != null)
				? Optional.of(changed.toInstant().atZone(ENGLAND).toLocalDate().plusMonths(monthsWithoutReview))
				: Optional.empty();
	}

}
