package org.openepaccs.register;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.IntStream;

import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

class ReviewWorklistTest {

	private static final LocalDate TODAY = LocalDate.of(2026, 11, 24);

	@Test
	void plansFromBothSearchesComeMostOverdueFirst() {
		Search reviewDatePassed = new Search(plan("a", "2026-05-01", null), plan("b", "2026-11-23", null));
		Search unchanged = new Search(plan("e", null, LocalDate.of(2025, 10, 1)));

		List<ReviewWorklist.Due> due = ReviewWorklist.page(List.of(reviewDatePassed, unchanged), 0, 50, 12, TODAY);

		assertThat(due).extracting((item) -> item.plan().getIdElement().getIdPart(), ReviewWorklist.Due::daysOverdue)
			.containsExactly(tuple("a", 207L), tuple("e", 54L), tuple("b", 1L));
	}

	@Test
	void theFirstPageOfAPracticeWithHundredsDueReadsAboutOnePagesWorth() {
		Search reviewDatePassed = new Search(
				IntStream.range(0, 300).mapToObj((i) -> plan("r" + i, TODAY.minusDays(400 - i).toString(), null)));
		Search unchanged = new Search(
				IntStream.range(0, 300).mapToObj((i) -> plan("u" + i, null, TODAY.minusMonths(12).minusDays(300 - i))));

		List<ReviewWorklist.Due> page = ReviewWorklist.page(List.of(reviewDatePassed, unchanged), 0, 20, 12, TODAY);

		assertThat(page).hasSize(20);
		assertThat(page.get(0).plan().getIdElement().getIdPart()).isEqualTo("r0");
		assertThat(reviewDatePassed.handedOut + unchanged.handedOut).isLessThanOrEqualTo(60);
	}

	@Test
	void pagesAgreeWithTheWholeListWhenManyPlansFallDueTheSameDay() {
		List<CarePlan> first = new ArrayList<>();
		List<CarePlan> second = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			String day = TODAY.minusDays(10 + i / 5).toString();
			// each search sorts a day's plans its own way; the worklist orders them by id
			first.add(0, plan("p" + (char) ('a' + i), day, null));
			second.add(0, plan("q" + (char) ('a' + i), day, null));
		}
		first.sort((x, y) -> dayOf(x).compareTo(dayOf(y)));
		second.sort((x, y) -> dayOf(x).compareTo(dayOf(y)));

		List<String> whole = ids(
				ReviewWorklist.page(List.of(new Search(first), new Search(second)), 0, 100, 12, TODAY));
		List<String> paged = new ArrayList<>();
		for (int from = 0; from < 24; from += 5) {
			paged.addAll(ids(ReviewWorklist.page(List.of(new Search(first), new Search(second)), from, 5, 12, TODAY)));
		}

		assertThat(whole).hasSize(24);
		assertThat(paged).isEqualTo(whole);
		assertThat(whole.subList(0, 4)).containsExactly("pk", "pl", "qk", "ql");
	}

	@Test
	void aPlanWithoutAReviewDateIsDueTheCallersMonthsAfterItLastChanged() {
		CarePlan changed = plan("e", null, LocalDate.of(2026, 6, 1));

		assertThat(ReviewWorklist.dueOn(changed, 3)).contains(LocalDate.of(2026, 9, 1));
		assertThat(ReviewWorklist.dueOn(changed, 6)).contains(LocalDate.of(2026, 12, 1));
		assertThat(ReviewWorklist.hasReviewDate(changed)).isFalse();
	}

	@Test
	void aReviewDateIsTheDayWrittenInIt() {
		assertThat(ReviewWorklist.dueOn(plan("a", "2026-07-01", null), 12)).contains(LocalDate.of(2026, 7, 1));
		CarePlan lateEvening = new CarePlan();
		lateEvening.addExtension(ReviewWorklist.REVIEW_DATE, new DateTimeType("2026-06-30T23:30:00Z"));
		assertThat(ReviewWorklist.dueOn(lateEvening, 12)).contains(LocalDate.of(2026, 6, 30));
		CarePlan monthOnly = new CarePlan();
		monthOnly.addExtension(ReviewWorklist.REVIEW_DATE, new DateType("2026-09"));
		assertThat(ReviewWorklist.dueOn(monthOnly, 12)).contains(LocalDate.of(2026, 9, 1));
	}

	@Test
	void aPlanChangedAtAMonthsEndIsDueOnTheClampedDay() {
		LocalDate lastOfMarch = LocalDate.of(2026, 3, 31);

		// 28 February plus a month is 28 March: due on the 31st, and so searched for
		assertThat(ReviewWorklistProvider.firstDayNotDue(1, lastOfMarch)).isEqualTo(LocalDate.of(2026, 3, 1));
		assertThat(ReviewWorklistProvider.firstDayNotDue(12, LocalDate.of(2026, 11, 24)))
			.isEqualTo(LocalDate.of(2025, 11, 24));
		// a leap day: 29 February 2028 less 12 months is 28 February 2027, due on 28
		// February 2028
		assertThat(ReviewWorklistProvider.firstDayNotDue(12, LocalDate.of(2028, 2, 29)))
			.isEqualTo(LocalDate.of(2027, 3, 1));
	}

	private static List<String> ids(List<ReviewWorklist.Due> due) {
		return due.stream().map((item) -> item.plan().getIdElement().getIdPart()).toList();
	}

	private static LocalDate dayOf(CarePlan plan) {
		return ReviewWorklist.dueOn(plan, 12).orElseThrow();
	}

	private static CarePlan plan(String id, String reviewDate, LocalDate lastChanged) {
		CarePlan plan = new CarePlan();
		plan.setId(id);
		if (reviewDate != null) {
			plan.addExtension(ReviewWorklist.REVIEW_DATE, new DateType(reviewDate));
		}
		plan.getMeta()
			.setLastUpdated(Date.from(((lastChanged != null) ? lastChanged : TODAY.minusDays(1)).atTime(12, 0)
				.atZone(ZoneId.of("Europe/London"))
				.toInstant()));
		return plan;
	}

	/** A search's results in order, counting what the worklist read. */
	private static final class Search implements ReviewWorklist.DueInOrder {

		private final List<CarePlan> plans;

		int handedOut;

		Search(CarePlan... plans) {
			this(List.of(plans));
		}

		Search(java.util.stream.Stream<CarePlan> plans) {
			this(plans.toList());
		}

		Search(List<CarePlan> plans) {
			this.plans = List.copyOf(plans);
		}

		@Override
		public List<CarePlan> next(int most) {
			List<CarePlan> batch = this.plans.subList(this.handedOut,
					Math.min(this.handedOut + most, this.plans.size()));
			this.handedOut += batch.size();
			return batch;
		}

	}

}
