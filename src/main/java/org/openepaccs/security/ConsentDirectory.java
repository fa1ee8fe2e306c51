package org.openepaccs.security;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.openepaccs.budget.DatabaseBudgetProperties;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.fhir.InternalSearch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.openepaccs.common.Systems.ODS;

/**
 * Who has refused to share their record, and which organisations (ODS codes) recorded the
 * refusal and so may still see it. Read from the consent-to-share Consents (scope
 * {@code patient-privacy}): a person's latest decision counts; it is a refusal when its
 * status is {@code rejected} or it is active with {@code provision.type = deny}. The
 * custodian is {@code Consent.organization}.
 * <p>
 * Kept in memory because it is asked about every resource a response shows. Each decision
 * is also written, in the transaction of the Consent it comes from, to a small table
 * ({@code EPACCS_SHARING_DECISION}, one row per Consent, custodians already resolved to
 * ODS codes), so that loading the directory is one short query however many people there
 * are: loaded in full on first use, then only the rows changed since, after a Consent is
 * written here and every few seconds for Consents written through another replica.
 * (Reading the Consents themselves, as this once did, took longer than a request's time
 * budget after a bulk load of a few thousand people, so no search could be answered.) A
 * deleted Consent is not seen; record a new decision instead.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
public class ConsentDirectory implements FhirStorageInterceptor {

	static final String CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope";

	static final String DECISIONS = "EPACCS_SHARING_DECISION";

	/**
	 * One row counting the sharing decisions ever written: a replica that sees it change
	 * reloads, so a refusal written through another replica holds here within
	 * {@link #FRESHNESS} of its commit rather than at the next timed reload.
	 */
	static final String EPOCH = "EPACCS_SHARING_EPOCH";

	/** How long a replica goes without asking whether another wrote a decision. */
	static final Duration FRESHNESS = Duration.ofMillis(250);

	private static final Logger log = LoggerFactory.getLogger(ConsentDirectory.class);

	private final DaoRegistry daoRegistry;

	private final JdbcTemplate jdbc;

	/**
	 * How far back each reload reads again: rows are stamped when their Consent is
	 * written, which can be up to a request's whole time budget before that write commits
	 * and becomes visible.
	 */
	private final Duration overlap;

	private volatile Map<String, Set<String>> refusals = Map.of();

	private volatile boolean stale = true;

	/** The distinct custodian sets of the current refusals, for search labels. */
	private volatile Set<Set<String>> custodianSets = Set.of();

	/**
	 * What each organisation's searches exclude, worked out once per change of the
	 * refusals rather than on every search.
	 */
	private volatile Map<String, Set<RefusalLabels.Label>> hiddenLabels = new ConcurrentHashMap<>();

	/** The key of a caller without an organisation: no ODS code has a space. */
	private static final String NO_ORGANISATION = " none";

	/**
	 * Whether stored records may still carry only the custodians' label, as an earlier
	 * release labelled them: until {@link SharingLabels} has found none at start,
	 * searches also exclude every custodian set not naming the caller (slower, but no
	 * record counts in a total or a page meanwhile).
	 */
	private volatile boolean custodianLabelsOnlyMayRemain = true;

	private volatile long seenEpoch = -1;

	private volatile long epochCheckedAt;

	private final Map<String, Decision> decisions = new HashMap<>();

	private Instant loadedUpTo;

	private final TransactionTemplate transaction;

	private final TransactionTemplate ownTransaction;

	ConsentDirectory(DaoRegistry daoRegistry, JdbcTemplate jdbc, DatabaseBudgetProperties budget,
			PlatformTransactionManager transactions) {
		this.daoRegistry = daoRegistry;
		this.jdbc = jdbc;
		this.transaction = new TransactionTemplate(transactions);
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction
			.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.overlap = budget.requestTimeBudget().plusSeconds(10);
	}

	/**
	 * The security labels ({@link RefusalLabels}) that mark what is hidden from this
	 * organisation: what its searches leave out.
	 */
	Set<RefusalLabels.Label> labelsHiddenFrom(String organisation) {
		refreshIfChanged();
		// the map before what it is computed from: published in the other order, so
		// what is read is at least as new as the map
		Map<String, Set<RefusalLabels.Label>> known = this.hiddenLabels;
		boolean earlierLabels = this.custodianLabelsOnlyMayRemain;
		Set<Set<String>> sets = this.custodianSets;
		return known.computeIfAbsent((organisation != null) ? organisation : NO_ORGANISATION, (key) -> {
			Set<RefusalLabels.Label> labels = new HashSet<>(RefusalLabels.excludedFrom(organisation, sets));
			if (earlierLabels) {
				labels.addAll(RefusalLabels.excludedBySet(organisation, sets));
			}
			return Set.copyOf(labels);
		});
	}

	/**
	 * Every record of a refusal carries its group labels: searches need exclude no more.
	 */
	void allRecordsCarryGroupLabels() {
		this.custodianLabelsOnlyMayRemain = false;
		this.hiddenLabels = new ConcurrentHashMap<>();
	}

	/**
	 * Moves the decision counter once a decision has committed, in a transaction of its
	 * own: other replicas then reload and find it (their reload reads again the rows
	 * changed shortly before their last one). Counting after the commit, rather than in
	 * the decision's own transaction, keeps decision writers from queueing on the one
	 * row; should this server stop between the two, the timed reload still finds it.
	 */
	private void tellOtherReplicas() {
		try {
			this.ownTransaction
				.executeWithoutResult((status) -> this.jdbc.update("UPDATE " + EPOCH + " SET N = N + 1 WHERE ID = 1"));
		}
		catch (RuntimeException ex) {
			log.warn("Other replicas were not told of a sharing decision at once ({}); they find it at their next "
					+ "timed reload", ex.getClass().getSimpleName());
		}
	}

	/** The people who have refused to share, as the directory knows them now. */
	Set<String> refusedPatients() {
		refreshIfChanged();
		return this.refusals.keySet();
	}

	/** Reads the decisions again now, e.g. right after one has committed. */
	void refreshNow() {
		this.stale = true;
		refreshIfChanged();
	}

	/**
	 * Reloads when another replica (or this one) has written a decision since the last
	 * look, asking the database at most once per {@link #FRESHNESS}.
	 */
	private void refreshIfChanged() {
		if (TransactionSynchronizationManager.hasResource(this)) {
			return; // a transaction that has written a decision: see record()
		}
		long now = System.nanoTime();
		if (!this.stale && now - this.epochCheckedAt < FRESHNESS.toNanos()) {
			return;
		}
		this.epochCheckedAt = now;
		Long epoch = this.jdbc.queryForObject("SELECT N FROM " + EPOCH + " WHERE ID = 1", Long.class);
		if (epoch != null && epoch != this.seenEpoch) {
			this.stale = true;
		}
		if (this.stale) {
			reload();
			if (epoch != null) {
				this.seenEpoch = epoch;
			}
		}
	}

	/**
	 * The ODS codes that may still see the patient's record when they have refused
	 * sharing, or null when they have not.
	 */
	public Set<String> custodiansIfRefused(String patientId) {
		refreshIfChanged();
		return this.refusals.get(patientId);
	}

	/**
	 * Whether the person has refused to share with this organisation (null: a caller
	 * without one, from whom every refusal hides the person).
	 */
	public boolean isHiddenFrom(String patientId, String organisation) {
		Set<String> custodians = custodiansIfRefused(patientId);
		return custodians != null && (organisation == null || !custodians.contains(organisation));
	}

	/** The id of the Consent holding the person's latest recorded decision, or null. */
	synchronized String latestDecision(String patientId) {
		Decision decision = this.decisions.get(patientId);
		return (decision != null) ? decision.consentId() : null;
	}

	/** Whether any refusal hides someone from this organisation. */
	public boolean anyHiddenFrom(String organisation) {
		refreshIfChanged();
		return this.refusals.values()
			.stream()
			.anyMatch((custodians) -> organisation == null || !custodians.contains(organisation));
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		record(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		record(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		if (resource instanceof Consent) {
			this.stale = true;
		}
	}

	/**
	 * Loads the directory as the server starts, so that the first request does not wait
	 * for it; if the database is away then, the first request that needs it loads it.
	 */
	@EventListener(ApplicationReadyEvent.class)
	void loadOnStart() {
		try {
			reload();
		}
		catch (RuntimeException ex) {
			log.warn("Consent directory not loaded at start-up ({}); it will be on first use",
					ex.getClass().getSimpleName());
		}
	}

	@Scheduled(fixedDelayString = "${epaccs.security.consent-refresh:5s}", initialDelayString = "5s")
	void refresh() {
		this.stale = true;
	}

	/**
	 * Writes the decision of a consent-to-share Consent to the decisions table, in the
	 * Consent's own transaction, so the two are stored together or not at all.
	 */
	private void record(IBaseResource resource) {
		if (!(resource instanceof Consent consent)) {
			return;
		}
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			this.stale = true;
		}
		else if (!TransactionSynchronizationManager.hasResource(this)) {
			// until it commits, this transaction reads the directory as it was: a reload
			// in it would see its own uncommitted decision and keep it, for everyone,
			// even if it rolled back. Once committed, the decision is read at once, so
			// a refusal holds here from its first moment.
			TransactionSynchronizationManager.bindResource(this, Boolean.TRUE);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public int getOrder() {
					return Ordered.HIGHEST_PRECEDENCE; // before anyone who reads the
														// directory
				}

				@Override
				public void afterCommit() {
					TransactionSynchronizationManager.unbindResourceIfPossible(ConsentDirectory.this);
					ConsentDirectory.this.stale = true;
					tellOtherReplicas();
				}

				@Override
				public void afterCompletion(int status) {
					TransactionSynchronizationManager.unbindResourceIfPossible(ConsentDirectory.this);
				}
			});
		}
		if (!isConsentToShare(consent) || !consent.getPatient().hasReference()
				|| consent.getStatus() == Consent.ConsentState.DRAFT) {
			return;
		}
		Decision decision = decisionOf(consent);
		String patient = consent.getPatient().getReferenceElement().getIdPart();
		Object[] values = { patient, timestamp(decision.decided()), timestamp(decision.stored()), decision.refused(),
				String.join(",", decision.custodians()), Timestamp.from(Instant.now()), decision.consentId() };
		int updated = this.jdbc.update("UPDATE " + DECISIONS + " SET PATIENT_ID = ?, DECIDED = ?, STORED = ?,"
				+ " REFUSED = ?, CUSTODIANS = ?, CHANGED = ? WHERE CONSENT_ID = ?", values);
		if (updated == 0) {
			// HAPI allows one create of a resource id, so no other transaction inserts
			// this
			// row at the same time
			this.jdbc.update("INSERT INTO " + DECISIONS
					+ " (PATIENT_ID, DECIDED, STORED, REFUSED, CUSTODIANS, CHANGED, CONSENT_ID)"
					+ " VALUES (?, ?, ?, ?, ?, ?, ?)", values);
		}
	}

	private static boolean isConsentToShare(Consent consent) {
		return consent.getScope()
			.getCoding()
			.stream()
			.anyMatch(
					(coding) -> CONSENT_SCOPE.equals(coding.getSystem()) && "patient-privacy".equals(coding.getCode()));
	}

	private Decision decisionOf(Consent consent) {
		return new Decision(consent.getIdElement().getIdPart(), consent.getDateTime(),
				consent.getMeta().getLastUpdated(),
				consent.getStatus() != Consent.ConsentState.ENTEREDINERROR && isRefusal(consent), custodians(consent));
	}

	/**
	 * Reads the decisions changed since the last reload (all of them the first time) and
	 * keeps each person's latest.
	 */
	synchronized void reload() {
		if (!this.stale) {
			return;
		}
		this.stale = false;
		Instant started = Instant.now();
		boolean complete = this.loadedUpTo == null;
		if (complete) {
			fillFromConsentsStoredBeforeTheTable();
		}
		String sql = "SELECT CONSENT_ID, PATIENT_ID, DECIDED, STORED, REFUSED, CUSTODIANS FROM " + DECISIONS;
		Set<String> changed = new HashSet<>();
		RowCallbackHandler keep = (row) -> {
			String patient = row.getString("PATIENT_ID");
			if (keep(patient,
					new Decision(row.getString("CONSENT_ID"), date(row.getTimestamp("DECIDED")),
							date(row.getTimestamp("STORED")), row.getBoolean("REFUSED"),
							custodians(row.getString("CUSTODIANS"))))) {
				changed.add(patient);
			}
		};
		try {
			if (complete) {
				this.jdbc.query(sql, keep);
			}
			else {
				this.jdbc.query(sql + " WHERE CHANGED >= ?", keep, Timestamp.from(this.loadedUpTo.minus(this.overlap)));
			}
		}
		catch (RuntimeException ex) {
			// read again in full next time: a refusal must never be missed, and what
			// this read kept before it failed is published by that full read only
			this.stale = true;
			this.loadedUpTo = null;
			throw ex;
		}
		this.loadedUpTo = started;
		publishRefusals(complete ? this.decisions.keySet() : changed);
	}

	/**
	 * Brings the refusals readers see in line with the decisions of these people. Most
	 * decisions written are permits of people never hidden, which change nothing here, so
	 * a write costs a look at its own people, not at every decision ever recorded; only a
	 * change among the refusals copies them.
	 */
	private void publishRefusals(Set<String> people) {
		Map<String, Set<String>> refused = null;
		for (String patient : people) {
			Decision decision = this.decisions.get(patient);
			Set<String> now = (decision != null && decision.refused()) ? decision.custodians() : null;
			if (!java.util.Objects.equals(now, this.refusals.get(patient))) {
				if (refused == null) {
					refused = new HashMap<>(this.refusals);
				}
				if (now != null) {
					refused.put(patient, now);
				}
				else {
					refused.remove(patient);
				}
			}
		}
		if (refused != null) {
			this.refusals = Map.copyOf(refused);
			this.custodianSets = Set.copyOf(refused.values());
			this.hiddenLabels = new ConcurrentHashMap<>();
		}
	}

	/**
	 * Keeps the incoming decision if it is the person's latest; whether that changed
	 * anything (the overlap of each reload reads recent decisions again, unchanged).
	 */
	private boolean keep(String patient, Decision incoming) {
		Decision known = this.decisions.get(patient);
		if (incoming.equals(known)) {
			return false;
		}
		if (known == null || known.consentId().equals(incoming.consentId()) || incoming.isLaterThan(known)) {
			this.decisions.put(patient, incoming);
			return true;
		}
		return false;
	}

	/**
	 * Consents stored before this server kept the decisions table (an upgrade) are not in
	 * it: on first load, if the table is empty but such Consents exist, their decisions
	 * are written to it once.
	 */
	private void fillFromConsentsStoredBeforeTheTable() {
		Integer rows = this.jdbc.queryForObject("SELECT COUNT(*) FROM " + DECISIONS, Integer.class);
		if (rows == null || rows > 0) {
			return;
		}
		SearchParameterMap toShare = InternalSearch.all()
			.add(Consent.SP_SCOPE, new TokenParam(CONSENT_SCOPE, "patient-privacy"));
		List<Consent> consents = this.daoRegistry.getResourceDao(Consent.class)
			.searchForResources(toShare, new SystemRequestDetails());
		if (!consents.isEmpty()) {
			log.info("Recording the sharing decisions of {} Consents stored before the decisions table",
					consents.size());
			// all or none: a table filled halfway would look filled and hide refusals
			this.transaction.executeWithoutResult((status) -> consents.forEach(this::record));
		}
	}

	private static Timestamp timestamp(Date date) {
		return (date != null) ? new Timestamp(date.getTime()) : null;
	}

	private static Date date(Timestamp timestamp) {
		return (timestamp != null) ? new Date(timestamp.getTime()) : null;
	}

	private static Set<String> custodians(String codes) {
		return codes.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(codes.split(",")));
	}

	/** A person's latest consent-to-share decision. */
	private record Decision(String consentId, Date decided, Date stored, boolean refused, Set<String> custodians) {

		/**
		 * A decision takes effect when it is recorded here, not on the date its writer
		 * claims: a back- or forward-dated Consent cannot overrule a later record.
		 */
		boolean isLaterThan(Decision other) {
			Comparator<Date> dates = Comparator.nullsFirst(Comparator.naturalOrder());
			int byRecord = dates.compare(this.stored, other.stored);
			return (byRecord != 0) ? byRecord > 0 : dates.compare(this.decided, other.decided) >= 0;
		}

	}

	static boolean isRefusal(Consent consent) {
		return consent.getStatus() == Consent.ConsentState.REJECTED
				|| (consent.getStatus() == Consent.ConsentState.ACTIVE
						&& consent.getProvision().getType() == Consent.ConsentProvisionType.DENY);
	}

	private Set<String> custodians(Consent consent) {
		Set<String> codes = new HashSet<>();
		for (Reference organisation : consent.getOrganization()) {
			if (organisation.hasIdentifier() && ODS.equals(organisation.getIdentifier().getSystem())) {
				codes.add(organisation.getIdentifier().getValue());
			}
			else if (organisation.hasReference()) {
				try {
					Organization found = this.daoRegistry.getResourceDao(Organization.class)
						.read(organisation.getReferenceElement().toUnqualifiedVersionless(),
								new SystemRequestDetails());
					found.getIdentifier()
						.stream()
						.filter((identifier) -> ODS.equals(identifier.getSystem()))
						.map(Identifier::getValue)
						.forEach(codes::add);
				}
				catch (ResourceNotFoundException | ResourceGoneException ex) {
					// no custodian can be named: nobody but a break-glass access sees the
					// record
				}
			}
		}
		return Set.copyOf(codes);
	}

}
