package org.openepaccs.register;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Extension;

/**
 * Which page of due care plans to show, and how overdue each is: pure, tested without a
 * database. A plan is due on its review date; a plan without one is due a set number of
 * months after it was last changed ("no review in N months").
 * <p>
 * The due plans come from searches that each return them in the order they fall due
 * (sorted by review date, or by when last changed). The page is merged from those,
 * reading from each only as far as the page needs, so that the first page of a practice
 * with hundreds of overdue plans reads a few dozen, not all of them.
 */
final class ReviewWorklist {

	static final String REVIEW_DATE = "https://fhir.openepaccs.org/StructureDefinition/epaccs-plan-review-date";

	private static final ZoneId ENGLAND = ZoneId.of("Europe/London");

	/** Most overdue first; the same day's plans in a fixed order, so that pages agree. */
	private static final Comparator<Due> MOST_OVERDUE_FIRST = Comparator.comparing(Due::dueOn)
		.thenComparing((due) -> due.plan().getIdElement().getIdPart());

	private ReviewWorklist() {
	}

	/** A plan that is due, and by how many days. */
	record Due(CarePlan plan, LocalDate dueOn, long daysOverdue) {

	}

	/** Due plans in the order they fall due (earliest first), a batch at a time. */
	interface DueInOrder {

		/**
		 * Up to {@code most} of the next plans, in order; empty once there are no more.
		 */
		List<CarePlan> next(int most);

	}

	/**
	 * Plans {@code from} to {@code from + count} of all the sources' plans, most overdue
	 * first. Reads from each source until it has given {@code from + count} plans, then
	 * on while its plans fall due on the last day that page reaches, so that plans due
	 * the same day are ordered among all of them, not only those read so far.
	 */
	static List<Due> page(List<DueInOrder> sources, int from, int count, int monthsWithoutReview, LocalDate today) {
		int wanted = from + count;
		List<Reader> readers = sources.stream()
			.map((source) -> new Reader(source, monthsWithoutReview, today))
			.toList();
		List<Due> read = new ArrayList<>();
		for (Reader reader : readers) {
			while (!reader.finished && reader.read.size() < wanted) {
				reader.readMore(wanted - reader.read.size());
			}
			read.addAll(reader.read);
		}
		read.sort(MOST_OVERDUE_FIRST);
		if (read.size() >= wanted) {
			LocalDate lastDay = read.get(wanted - 1).dueOn();
			for (Reader reader : readers) {
				int before = reader.read.size();
				while (!reader.finished && !reader.lastDueOn().isAfter(lastDay)) {
					reader.readMore(count);
				}
				read.addAll(reader.read.subList(before, reader.read.size()));
			}
			read.sort(MOST_OVERDUE_FIRST);
		}
		return List.copyOf(read.subList(Math.min(from, read.size()), Math.min(wanted, read.size())));
	}

	/**
	 * When the plan falls due: its review date, else the months after it last changed.
	 */
	static Optional<LocalDate> dueOn(CarePlan plan, int monthsWithoutReview) {
		Optional<LocalDate> review = reviewDate(plan);
		if (review.isPresent()) {
			return review;
		}
		Date changed = plan.getMeta().getLastUpdated();
		return (changed != null)
				? Optional.of(changed.toInstant().atZone(ENGLAND).toLocalDate().plusMonths(monthsWithoutReview))
				: Optional.empty();
	}

	static boolean hasReviewDate(CarePlan plan) {
		return reviewDate(plan).isPresent();
	}

	/**
	 * The calendar day written in the review date, whatever time or zone follows it: the
	 * day the database's date index compares, so that a plan listed as due is due.
	 */
	private static Optional<LocalDate> reviewDate(CarePlan plan) {
		Extension review = plan.getExtensionByUrl(REVIEW_DATE);
		if (review == null || !(review.getValue() instanceof BaseDateTimeType date) || date.getValue() == null) {
			return Optional.empty();
		}
		boolean monthKnown = date.getPrecision().ordinal() >= TemporalPrecisionEnum.MONTH.ordinal();
		boolean dayKnown = date.getPrecision().ordinal() >= TemporalPrecisionEnum.DAY.ordinal();
		return Optional
			.of(LocalDate.of(date.getYear(), monthKnown ? date.getMonth() + 1 : 1, dayKnown ? date.getDay() : 1));
	}

	/** What has been read from one source so far. */
	private static final class Reader {

		private final DueInOrder source;

		private final int monthsWithoutReview;

		private final LocalDate today;

		private final List<Due> read = new ArrayList<>();

		private boolean finished;

		Reader(DueInOrder source, int monthsWithoutReview, LocalDate today) {
			this.source = source;
			this.monthsWithoutReview = monthsWithoutReview;
			this.today = today;
		}

		void readMore(int most) {
			List<CarePlan> plans = this.source.next(Math.max(most, 1));
			this.finished = plans.isEmpty();
			for (CarePlan plan : plans) {
				dueOn(plan, this.monthsWithoutReview)
					.ifPresent((on) -> this.read.add(new Due(plan, on, ChronoUnit.DAYS.between(on, this.today))));
			}
		}

		LocalDate lastDueOn() {
			return this.read.isEmpty() ? LocalDate.MIN : this.read.get(this.read.size() - 1).dueOn();
		}

	}

}
