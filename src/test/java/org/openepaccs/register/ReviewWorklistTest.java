package org.openepaccs.register;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;

import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.DateType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReviewWorklistTest {

	private static final LocalDate TODAY = LocalDate.of(2026, 11, 24);

	@Test
	void duePlansComeMostOverdueFirstAndOthersNotAtAll() {
		CarePlan passedLongAgo = plan("a", "2026-05-01", null);
		CarePlan passedYesterday = plan("b", "2026-11-23", null);
		CarePlan dueToday = plan("c", "2026-11-24", null);
		CarePlan notYet = plan("d", "2027-01-10", null);
		CarePlan neverReviewedChangedLongAgo = plan("e", null, LocalDate.of(2025, 10, 1));
		CarePlan neverReviewedChangedRecently = plan("f", null, LocalDate.of(2026, 6, 1));

		List<ReviewWorklist.Due> due = ReviewWorklist.due(List.of(notYet, passedYesterday, neverReviewedChangedRecently,
				dueToday, passedLongAgo, neverReviewedChangedLongAgo), 12, TODAY);

		assertThat(due).extracting((item) -> item.plan().getIdElement().getIdPart(), ReviewWorklist.Due::daysOverdue)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("a", 207L),
					org.assertj.core.groups.Tuple.tuple("e", 54L), org.assertj.core.groups.Tuple.tuple("b", 1L));
	}

	@Test
	void theMonthsWithoutReviewAreTheCallersChoice() {
		CarePlan changed = plan("e", null, LocalDate.of(2026, 6, 1));

		assertThat(ReviewWorklist.due(List.of(changed), 3, TODAY)).hasSize(1);
		assertThat(ReviewWorklist.due(List.of(changed), 6, TODAY)).isEmpty();
	}

	private static CarePlan plan(String id, String reviewDate, LocalDate lastChanged) {
		CarePlan plan = new CarePlan();
		plan.setId(id);
		if (reviewDate != null) {
			plan.addExtension(ReviewWorklist.REVIEW_DATE, new DateType(reviewDate));
		}
		if (lastChanged != null) {
			plan.getMeta()
				.setLastUpdated(Date.from(lastChanged.atTime(12, 0).atZone(ZoneId.of("Europe/London")).toInstant()));
		}
		return plan;
	}

}
