package org.openepaccs.register;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.SearchTotalModeEnum;
import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.openepaccs.common.Systems;
import org.openepaccs.fhir.FhirOperationProvider;
import org.openepaccs.fhir.InternalSearch;
import org.openepaccs.fhir.ShownResources;

import org.springframework.stereotype.Component;

/**
 * {@code GET /fhir/CarePlan/$review-worklist?practice=Organization/{id}[,…]}: the active
 * care plans of everyone on those practices' registers that are due for review, most
 * overdue first, paged ({@code _count}, {@code _offset}). A plan is due on its review
 * date or, without one, {@code months-without-review} (default 12) after it was last
 * changed.
 * <p>
 * The searches run as the server, so that they see every match (a search made with the
 * caller's request stops at one page), and what they find is then shown to the caller
 * through the same storage hooks as any search: consent to share and the caller's access
 * rules apply to what the worklist shows.
 */
@Component
class ReviewWorklistProvider implements FhirOperationProvider {

	static final String OPERATION = "$review-worklist";

	private static final int MOST_PRACTICES = 50;

	/** Open sharing-decision tasks listed at most: a handful a practice in practice. */
	private static final int MOST_TASKS = 500;

	/**
	 * Further than any worklist goes; a bound, so that offset and count cannot overflow.
	 */
	private static final int MOST_OFFSET = 100_000;

	/**
	 * Each group of patients is two sorted searches for the page to be merged from; a
	 * practice's register (up to a few hundred people) fits in one.
	 */
	private static final int PATIENTS_PER_QUERY = 500;

	private static final ZoneId ENGLAND = ZoneId.of("Europe/London");

	/** The package's search parameter on the plan review date extension. */
	private static final String REVIEW_DATE_PARAMETER = "review-date";

	private final DaoRegistry daoRegistry;

	private final ShownResources shown;

	ReviewWorklistProvider(DaoRegistry daoRegistry, ShownResources shown) {
		this.daoRegistry = daoRegistry;
		this.shown = shown;
	}

	@Operation(name = OPERATION, type = CarePlan.class, idempotent = true)
	public Bundle worklist(@OperationParam(name = "practice", min = 1, max = MOST_PRACTICES) List<StringType> practices,
			@OperationParam(name = "months-without-review", max = 1) IntegerType months,
			@OperationParam(name = "_count", max = 1) IntegerType count,
			@OperationParam(name = "_offset", max = 1) IntegerType offset, RequestDetails request) {
		if (practices == null || practices.isEmpty()) {
			// HAPI does not enforce an operation parameter's min
			throw new InvalidRequestException(
					"practice is required: the practice whose register to review, as Organization/{id}");
		}
		int monthsWithoutReview = (months != null && months.getValue() != null) ? months.getValue() : 12;
		int pageSize = (count != null && count.getValue() != null) ? count.getValue() : 50;
		int from = (offset != null && offset.getValue() != null) ? offset.getValue() : 0;
		if (monthsWithoutReview < 1 || monthsWithoutReview > 120 || pageSize < 1 || pageSize > 500 || from < 0
				|| from > MOST_OFFSET) {
			throw new InvalidRequestException(
					"months-without-review must be 1–120, _count 1–500 and _offset 0–" + MOST_OFFSET);
		}
		// the worklist pages itself: HAPI would read the request's own _count and _offset
		// as paging for the searches below, and then refuse to load them whole
		request.removeParameter("_count");
		request.removeParameter("_offset");
		LocalDate today = LocalDate.now(ENGLAND);
		List<String> patients = patientsOnRegisters(organisations(practices), request);
		List<ReviewWorklist.DueInOrder> sources = new ArrayList<>();
		int total = 0;
		for (int i = 0; i < patients.size(); i += PATIENTS_PER_QUERY) {
			List<String> chunk = patients.subList(i, Math.min(i + PATIENTS_PER_QUERY, patients.size()));
			PlanSearch reviewDatePassed = new PlanSearch(() -> reviewDatePassed(chunk, today), false);
			PlanSearch unchanged = new PlanSearch(() -> unchangedFor(chunk, monthsWithoutReview, today), true);
			sources.add(reviewDatePassed);
			sources.add(unchanged);
			total += reviewDatePassed.count() + unchanged.count()
					- count(withReviewDate(unchangedFor(chunk, monthsWithoutReview, today)));
		}
		List<ReviewWorklist.Due> shownPage = shownOf(
				ReviewWorklist.page(sources, from, pageSize, monthsWithoutReview, today), request);

		Bundle page = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(total);
		String base = request.getFhirServerBase() + "/CarePlan/" + OPERATION + "?"
				+ practices.stream().map((p) -> "practice=" + p.getValue()).reduce((a, b) -> a + "&" + b).orElse("")
				+ "&months-without-review=" + monthsWithoutReview + "&_count=" + pageSize;
		page.addLink().setRelation(Bundle.LINK_SELF).setUrl(base + "&_offset=" + from);
		if (from + pageSize < total) {
			page.addLink().setRelation(Bundle.LINK_NEXT).setUrl(base + "&_offset=" + (from + pageSize));
		}
		for (ReviewWorklist.Due item : shownPage) {
			page.addEntry()
				.setFullUrl(request.getFhirServerBase() + "/CarePlan/" + item.plan().getIdElement().getIdPart())
				.setResource(item.plan())
				.getSearch()
				.setMode(Bundle.SearchEntryMode.MATCH);
		}
		if (from == 0) {
			for (IBaseResource task : this.shown.to(request, sharingDecisionsToReview(organisations(practices)))) {
				page.addEntry()
					.setFullUrl(request.getFhirServerBase() + "/Task/" + task.getIdElement().getIdPart())
					.setResource((Task) task)
					.getSearch()
					.setMode(Bundle.SearchEntryMode.INCLUDE);
			}
		}
		return page;
	}

	/**
	 * The practices' open tasks to review a sharing decision that a clinician of another
	 * organisation recorded for one of their people (owner the practice, focus the new
	 * Consent), oldest first: on the first page, as entries beside the plans (search mode
	 * {@code include}; the total counts plans).
	 */
	private List<IBaseResource> sharingDecisionsToReview(List<String> practices) {
		ReferenceOrListParam owners = new ReferenceOrListParam();
		practices.forEach((practice) -> owners.add(new ReferenceParam(practice)));
		SearchParameterMap open = InternalSearch.all()
			.add(Task.SP_OWNER, owners)
			.add(Task.SP_STATUS, new TokenParam("requested"));
		open.setSort(new SortSpec(Task.SP_AUTHORED_ON, SortOrderEnum.ASC, new SortSpec("_id")));
		return this.daoRegistry.getResourceDao(Task.class)
			.search(open, new SystemRequestDetails())
			.getResources(0, MOST_TASKS)
			.stream()
			.filter((task) -> ((Task) task).getFocus().getReferenceElement().getResourceType() != null
					&& "Consent".equals(((Task) task).getFocus().getReferenceElement().getResourceType()))
			.toList();
	}

	private static List<String> organisations(List<StringType> practices) {
		Set<String> ids = new LinkedHashSet<>();
		for (StringType practice : practices) {
			for (String value : String.valueOf(practice.getValue()).split(",")) {
				IdType id = new IdType(value.trim());
				if (!"Organization".equals(id.getResourceType()) || !id.hasIdPart()) {
					throw new InvalidRequestException(
							"practice must name the practice as Organization/{id}, not '" + value.trim() + "'");
				}
				ids.add("Organization/" + id.getIdPart());
			}
		}
		if (ids.size() > MOST_PRACTICES) {
			throw new InvalidRequestException("At most " + MOST_PRACTICES + " practices per worklist");
		}
		return new ArrayList<>(ids);
	}

	private List<String> patientsOnRegisters(List<String> practices, RequestDetails request) {
		ReferenceOrListParam organisations = new ReferenceOrListParam();
		practices.forEach((practice) -> organisations.add(new ReferenceParam(practice)));
		SearchParameterMap registers = InternalSearch.all()
			.add(EpisodeOfCare.SP_ORGANIZATION, organisations)
			.add(EpisodeOfCare.SP_STATUS, new TokenParam("active"))
			.add(EpisodeOfCare.SP_TYPE, new TokenParam(Systems.SNOMED, RegisterFlagKeeper.PALLIATIVE_CARE));
		Set<String> patients = new LinkedHashSet<>();
		for (IBaseResource entry : this.shown.to(request,
				this.daoRegistry.getResourceDao(EpisodeOfCare.class)
					.search(registers, new SystemRequestDetails())
					.getResources(0, Integer.MAX_VALUE))) {
			patients.add(((EpisodeOfCare) entry).getPatient().getReference());
		}
		return new ArrayList<>(patients);
	}

	/**
	 * The page's plans the caller may see (all of them, unless the access hooks say
	 * otherwise).
	 */
	private List<ReviewWorklist.Due> shownOf(List<ReviewWorklist.Due> due, RequestDetails request) {
		Set<CarePlan> shownPlans = Collections.newSetFromMap(new IdentityHashMap<>());
		shownPlans.addAll(this.shown.to(request, due.stream().map(ReviewWorklist.Due::plan).toList()));
		return due.stream().filter((item) -> shownPlans.contains(item.plan())).toList();
	}

	/** Active plans whose review date is before today, the longest passed first. */
	private static SearchParameterMap reviewDatePassed(List<String> patients, LocalDate today) {
		SearchParameterMap search = activePlansOf(patients).add(REVIEW_DATE_PARAMETER,
				new DateParam(ParamPrefixEnum.LESSTHAN, today.toString()));
		search.setSort(new SortSpec(REVIEW_DATE_PARAMETER, SortOrderEnum.ASC, new SortSpec("_id")));
		return search;
	}

	/**
	 * Active plans not changed since before the day that many months ago (in England),
	 * the longest unchanged first. Those with a review date are due on that instead, and
	 * are left out as they are read: the search cannot ask for a missing review date
	 * without HAPI indexing every missing value of every parameter.
	 */
	private static SearchParameterMap unchangedFor(List<String> patients, int months, LocalDate today) {
		SearchParameterMap search = activePlansOf(patients);
		Date since = Date.from(firstDayNotDue(months, today).atStartOfDay(ENGLAND).toInstant());
		search.setLastUpdated(new DateRangeParam(null, new DateParam(ParamPrefixEnum.LESSTHAN, since)));
		search.setSort(new SortSpec(Constants.PARAM_LASTUPDATED, SortOrderEnum.ASC, new SortSpec("_id")));
		return search;
	}

	/**
	 * The first day a plan can have last changed on and not be due today: due means that
	 * day plus the months is before today, and adding months clamps month ends (31 March
	 * less one month is 28 February, yet a plan changed on 28 February is due on 28
	 * March), so the day is found rather than subtracted.
	 */
	static LocalDate firstDayNotDue(int months, LocalDate today) {
		LocalDate day = today.minusMonths(months);
		while (day.plusMonths(months).isBefore(today)) {
			day = day.plusDays(1);
		}
		while (!day.minusDays(1).plusMonths(months).isBefore(today)) {
			day = day.minusDays(1);
		}
		return day;
	}

	private static SearchParameterMap withReviewDate(SearchParameterMap search) {
		return search.add(REVIEW_DATE_PARAMETER, new DateParam(ParamPrefixEnum.GREATERTHAN_OR_EQUALS, "0001-01-01"));
	}

	private int count(SearchParameterMap search) {
		search.setSort(null);
		search.setSearchTotalMode(SearchTotalModeEnum.ACCURATE);
		search.setSummaryMode(SummaryEnum.COUNT);
		Integer size = this.daoRegistry.getResourceDao(CarePlan.class)
			.search(search, new SystemRequestDetails())
			.size();
		return (size != null) ? size : 0;
	}

	/**
	 * One search's due plans, read a batch at a time in the search's order. The searches
	 * run as the server, because HAPI cuts a search made with a client's request to one
	 * page; what they find is shown to the caller through the storage hooks.
	 */
	private final class PlanSearch implements ReviewWorklist.DueInOrder {

		private final Supplier<SearchParameterMap> search;

		private final boolean withoutReviewDateOnly;

		/** Rows of the search read so far (plans left out included). */
		private int offset;

		private boolean finished;

		/** Read but not yet handed out. */
		private final ArrayDeque<CarePlan> unread = new ArrayDeque<>();

		PlanSearch(Supplier<SearchParameterMap> search, boolean withoutReviewDateOnly) {
			this.search = search;
			this.withoutReviewDateOnly = withoutReviewDateOnly;
		}

		int count() {
			return ReviewWorklistProvider.this.count(this.search.get());
		}

		@Override
		public List<CarePlan> next(int most) {
			while (this.unread.isEmpty() && !this.finished) {
				readMore(most);
			}
			List<CarePlan> plans = new ArrayList<>();
			while (plans.size() < most && !this.unread.isEmpty()) {
				plans.add(this.unread.poll());
			}
			return plans;
		}

		/**
		 * The next rows, as the end of a longer first page: HAPI ignores _offset in a
		 * search made through its storage API and reads from the start anyway. Each read
		 * at least doubles what has been read, so a long read costs a few searches, not
		 * one per batch.
		 */
		private void readMore(int most) {
			int upTo = Math.max(this.offset + Math.max(most, 10), 2 * this.offset);
			SearchParameterMap batch = this.search.get();
			batch.setCount(upTo);
			List<IBaseResource> found = ReviewWorklistProvider.this.daoRegistry.getResourceDao(CarePlan.class)
				.search(batch, new SystemRequestDetails())
				.getResources(0, upTo);
			List<IBaseResource> fresh = found.subList(Math.min(this.offset, found.size()), found.size());
			this.offset += fresh.size();
			this.finished = found.size() < upTo;
			for (IBaseResource resource : fresh) {
				CarePlan plan = (CarePlan) resource;
				if (!this.withoutReviewDateOnly || !ReviewWorklist.hasReviewDate(plan)) {
					this.unread.add(plan);
				}
			}
		}

	}

	private static SearchParameterMap activePlansOf(List<String> patients) {
		ReferenceOrListParam subjects = new ReferenceOrListParam();
		patients.forEach((patient) -> subjects.add(new ReferenceParam(patient)));
		return SearchParameterMap.newSynchronous()
			.add(CarePlan.SP_SUBJECT, subjects)
			.add(CarePlan.SP_STATUS, new TokenParam("active"));
	}

}
