package org.openepaccs.register;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
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
import org.openepaccs.server.FhirOperationProvider;
import org.openepaccs.server.InternalSearch;
import org.openepaccs.server.ShownResources;

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

	private static final int PATIENTS_PER_QUERY = 100;

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
		int monthsWithoutReview = (months != null && months.getValue() != null) ? months.getValue() : 12;
		int pageSize = (count != null && count.getValue() != null) ? count.getValue() : 50;
		int from = (offset != null && offset.getValue() != null) ? offset.getValue() : 0;
		if (monthsWithoutReview < 1 || monthsWithoutReview > 120 || pageSize < 1 || pageSize > 500 || from < 0) {
			throw new InvalidRequestException(
					"months-without-review must be 1–120, _count 1–500 and _offset 0 or more");
		}
		// the worklist pages itself: HAPI would read the request's own _count and _offset
		// as paging for the searches below, and then refuse to load them whole
		request.removeParameter("_count");
		request.removeParameter("_offset");
		LocalDate today = LocalDate.now(ZoneId.of("Europe/London"));
		List<CarePlan> plans = possiblyDuePlans(patientsOnRegisters(organisations(practices), request),
				monthsWithoutReview, today, request);
		List<ReviewWorklist.Due> due = ReviewWorklist.due(plans, monthsWithoutReview, today);

		Bundle page = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(due.size());
		String base = request.getFhirServerBase() + "/CarePlan/" + OPERATION + "?"
				+ practices.stream().map((p) -> "practice=" + p.getValue()).reduce((a, b) -> a + "&" + b).orElse("")
				+ "&months-without-review=" + monthsWithoutReview + "&_count=" + pageSize;
		page.addLink().setRelation(Bundle.LINK_SELF).setUrl(base + "&_offset=" + from);
		if (from + pageSize < due.size()) {
			page.addLink().setRelation(Bundle.LINK_NEXT).setUrl(base + "&_offset=" + (from + pageSize));
		}
		for (ReviewWorklist.Due item : due.subList(Math.min(from, due.size()), Math.min(from + pageSize, due.size()))) {
			page.addEntry()
				.setFullUrl(request.getFhirServerBase() + "/CarePlan/" + item.plan().getIdElement().getIdPart())
				.setResource(item.plan())
				.getSearch()
				.setMode(Bundle.SearchEntryMode.MATCH);
		}
		return page;
	}

	private static List<String> organisations(List<StringType> practices) {
		Set<String> ids = new LinkedHashSet<>();
		for (StringType practice : practices) {
			for (String value : practice.getValue().split(",")) {
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
			.add(EpisodeOfCare.SP_TYPE, new TokenParam(RegisterFlagKeeper.SNOMED, RegisterFlagKeeper.PALLIATIVE_CARE));
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
	 * The active plans of these patients that may be due: those with a review date up to
	 * today, and those not changed for the given months (with or without a review date);
	 * {@link ReviewWorklist} then applies the exact rule. Reading only these, rather than
	 * every active plan of the practice, keeps the worklist to the few plans it shows (a
	 * practice's people have about two active plans each). A day's margin on each bound
	 * covers the time zone; the rule itself is exact.
	 */
	private List<CarePlan> possiblyDuePlans(List<String> patients, int monthsWithoutReview, LocalDate today,
			RequestDetails request) {
		Map<String, CarePlan> plans = new LinkedHashMap<>();
		for (int i = 0; i < patients.size(); i += PATIENTS_PER_QUERY) {
			List<String> chunk = patients.subList(i, Math.min(i + PATIENTS_PER_QUERY, patients.size()));
			SearchParameterMap reviewDatePassed = activePlansOf(chunk).add(REVIEW_DATE_PARAMETER,
					new DateParam(ParamPrefixEnum.LESSTHAN_OR_EQUALS, today.plusDays(1).toString()));
			SearchParameterMap unchanged = activePlansOf(chunk);
			unchanged.setLastUpdated(
					new DateRangeParam(null, today.minusMonths(monthsWithoutReview).plusDays(1).toString()));
			// a plan both searches find is shown to the caller once
			Map<String, IBaseResource> found = new LinkedHashMap<>();
			for (SearchParameterMap search : List.of(reviewDatePassed, unchanged)) {
				this.daoRegistry.getResourceDao(CarePlan.class)
					.search(search, new SystemRequestDetails())
					.getResources(0, Integer.MAX_VALUE)
					.forEach((plan) -> found.putIfAbsent(plan.getIdElement().getIdPart(), plan));
			}
			this.shown.to(request, new ArrayList<>(found.values()))
				.forEach((plan) -> plans.put(plan.getIdElement().getIdPart(), (CarePlan) plan));
		}
		return new ArrayList<>(plans.values());
	}

	private static SearchParameterMap activePlansOf(List<String> patients) {
		ReferenceOrListParam subjects = new ReferenceOrListParam();
		patients.forEach((patient) -> subjects.add(new ReferenceParam(patient)));
		return InternalSearch.all()
			.add(CarePlan.SP_SUBJECT, subjects)
			.add(CarePlan.SP_STATUS, new TokenParam("active"));
	}

}
