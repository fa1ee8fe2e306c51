package org.openepaccs.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.param.TokenParamModifier;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.annotation.PreDestroy;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Resource;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.security.RefusalLabels.Label;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps people who refused to share out of searches by the query itself, so that pages
 * are full, {@code next} links and totals are true, and nothing about a hidden person can
 * be bisected from page sizes.
 * <p>
 * Every stored resource of a person who has refused carries security labels naming who
 * may still see it ({@link RefusalLabels}); every search by a client is given
 * {@code _security:not=} the labels of what is hidden from the caller's organisation,
 * which HAPI turns into a {@code NOT IN} over its tag index in the same SQL that selects,
 * counts and pages. Labels are set on each write of a hidden person's resource, and on a
 * change of a person's decision their stored resources are relabelled (HAPI's meta-add
 * and meta-delete, which change no version). Until that relabelling has committed, the
 * consent rule on what is shown ({@link ConsentToShareInterceptor}) still hides them, so
 * a page can only be short, never leak.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
public class SharingLabels implements FhirStorageInterceptor {

	/** How many people labelled between progress lines of the labelling at start. */
	private static final int PROGRESS_EVERY = 100;

	/**
	 * How long the labelling at start waits for a moment without client requests before
	 * each record, so that it slows a busy server little yet still moves on under
	 * constant load.
	 */
	static final Duration GIVE_WAY = Duration.ofSeconds(2);

	/**
	 * A person's stored resources: their Patient and every resource that refers to them.
	 * Two selects joined rather than one with an {@code OR}, which PostgreSQL answers by
	 * scanning every resource stored; these follow the indexes.
	 */
	private static final String OF_PERSON = "SELECT r.RES_ID, r.RES_TYPE, r.FHIR_ID FROM HFJ_RESOURCE r"
			+ " WHERE r.RES_TYPE = 'Patient' AND r.FHIR_ID = ? AND r.RES_DELETED_AT IS NULL"
			+ " UNION SELECT r.RES_ID, r.RES_TYPE, r.FHIR_ID FROM HFJ_RESOURCE p"
			+ " JOIN HFJ_RES_LINK l ON l.TARGET_RESOURCE_ID = p.RES_ID JOIN HFJ_RESOURCE r ON r.RES_ID = l.SRC_RESOURCE_ID"
			+ " WHERE p.RES_TYPE = 'Patient' AND p.FHIR_ID = ? AND r.RES_DELETED_AT IS NULL";

	private static final Logger log = LoggerFactory.getLogger(SharingLabels.class);

	private final ConsentDirectory directory;

	private final Callers callers;

	private final DaoRegistry daoRegistry;

	private final JdbcTemplate jdbc;

	private final PeopleOfRecords people;

	private final TransactionTemplate newTransaction;

	private final ClientShareFilter requests;

	private volatile Thread labelling;

	SharingLabels(ConsentDirectory directory, Callers callers, DaoRegistry daoRegistry, JdbcTemplate jdbc,
			PeopleOfRecords people, PlatformTransactionManager transactions, ClientShareFilter requests) {
		this.directory = directory;
		this.callers = callers;
		this.daoRegistry = daoRegistry;
		this.jdbc = jdbc;
		this.people = people;
		this.newTransaction = new TransactionTemplate(transactions);
		this.newTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.requests = requests;
	}

	/**
	 * A client's search leaves out every resource labelled for custodians other than the
	 * caller's organisation. The server's own searches (a {@link SystemRequestDetails})
	 * see everything; a clinician breaking the glass sees everyone.
	 */
	@Hook(Pointcut.STORAGE_PRESEARCH_REGISTERED)
	public void narrow(RequestDetails request, SearchParameterMap params) {
		if (!(request instanceof ServletRequestDetails) || params.getEverythingMode() != null) {
			return;
		}
		Optional<Caller> caller = this.callers.current();
		if (caller.isPresent() && caller.get().breaksTheGlass()) {
			return;
		}
		Set<Label> hidden = this.directory.labelsHiddenFrom(caller.map(Caller::organisation).orElse(null));
		if (hidden.isEmpty()) {
			return;
		}
		TokenOrListParam not = new TokenOrListParam();
		for (Label label : hidden) {
			not.add(new TokenParam(label.system(), label.code()).setModifier(TokenParamModifier.NOT));
		}
		params.add(Constants.PARAM_SECURITY, not);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = -100)
	public void created(IBaseResource resource) {
		label(resource);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = -100)
	public void updated(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		label(resource);
	}

	/**
	 * A changed decision relabels the person's stored resources once it has committed
	 * (the labels must follow what the directory says, and the directory reads committed
	 * decisions); a resource written at the same time is labelled by its own write or, if
	 * it committed after the relabelling read, by its own after-commit check.
	 */
	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void createdCommitting(IBaseResource resource) {
		afterCommit(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updatedCommitting(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		afterCommit(resource);
	}

	private void afterCommit(IBaseResource resource) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			return;
		}
		if (resource instanceof Consent consent && consent.getPatient().hasReference()) {
			String patient = consent.getPatient().getReferenceElement().getIdPart();
			Set<String> before = this.directory.custodiansIfRefused(patient);
			runAfterCommit(() -> relabelQuietly(patient, before));
		}
		else if (!(resource instanceof Consent)
				&& AccessPolicy.categoryOf(resource.fhirType()) == AccessPolicy.Category.CLINICAL) {
			IIdType id = resource.getIdElement().toUnqualifiedVersionless();
			Set<String> patients = this.people.patientsOf(resource);
			boolean labelled = hasOwnLabel(resource);
			if (patients.isEmpty()) {
				return;
			}
			runAfterCommit(() -> {
				// a refusal that committed while this write was in flight
				if (!labelled && !wantedFor(patients).isEmpty()) {
					relabelQuietly(id, patients);
				}
			});
		}
	}

	private static void runAfterCommit(Runnable action) {
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				action.run();
			}
		});
	}

	/**
	 * Labels, once, the records of people whose refusal was stored before labels were
	 * kept, or labelled by an earlier release with the custodians' label only (an
	 * upgrade), or not relabelled after a change of custodians: every refused person with
	 * a record of theirs that lacks one of the labels of their current refusal. Runs
	 * beside the server's start, giving way to client requests record by record (on a
	 * large database it runs for a long time beside live traffic); meanwhile searches
	 * also exclude by the custodians' labels alone
	 * ({@link ConsentDirectory#allRecordsCarryGroupLabels}) and the consent rule on what
	 * is shown hides what was never labelled. On a database already labelled it is a
	 * query per refusal.
	 */
	@EventListener(ApplicationReadyEvent.class)
	void labelRefusalsStoredBeforeLabels() {
		Thread labelling = new Thread(() -> {
			int people = 0;
			List<String> unlabelled = List.of();
			try {
				unlabelled = this.directory.refusedPatients().stream().filter(this::hasUnlabelledRecords).toList();
				if (!unlabelled.isEmpty()) {
					// it can take a while on a large database loaded without labels: an
					// operator sees it start, progress and end
					log.info("Labelling the records of {} people whose refusal to share was stored before labels",
							unlabelled.size());
				}
				long started = System.nanoTime();
				for (String patient : unlabelled) {
					relabelGivingWay(patient);
					people++;
					if (people % PROGRESS_EVERY == 0 && people < unlabelled.size()) {
						log.info("Labelled {} of {} people so far ({} s)", people, unlabelled.size(),
								(System.nanoTime() - started) / 1_000_000_000L);
					}
				}
				if (people > 0) {
					log.info("Labelled the records of {} people whose refusal to share was stored before labels",
							people);
				}
				this.directory.allRecordsCarryGroupLabels();
			}
			catch (RuntimeException ex) {
				log.warn("Labelling the records of earlier refusals stopped after {} of {} people ({}); it goes on "
						+ "at the next start", people, unlabelled.size(), ex.getClass().getSimpleName());
			}
			catch (InterruptedException ex) {
				log.info("Labelling the records of earlier refusals stopped with the server after {} of {} people; "
						+ "it goes on at the next start", people, unlabelled.size());
			}
		}, "sharing-labels");
		labelling.setDaemon(true);
		this.labelling = labelling;
		labelling.start();
	}

	/** Stops the labelling at start between two records, rather than mid-transaction. */
	@PreDestroy
	void stopLabelling() {
		Thread running = this.labelling;
		if (running != null) {
			running.interrupt();
		}
	}

	/**
	 * Whether a record of the person, or their Patient, lacks the group label every
	 * record of a refusal carries, or the custodians' or bucket label of the person's
	 * current refusal: a person is done only when all of them carry all three, whatever
	 * was written since (a Patient updated by a client is labelled by its own write, the
	 * older records are not).
	 */
	private boolean hasUnlabelledRecords(String patient) {
		Set<String> custodians = this.directory.custodiansIfRefused(patient);
		if (custodians == null) {
			return false; // no longer refused
		}
		String label = "SELECT 1 FROM HFJ_RES_TAG t JOIN HFJ_TAG_DEF d ON d.TAG_ID = t.TAG_ID"
				+ " WHERE t.RES_ID = o.RES_ID AND d.TAG_SYSTEM = ? AND d.TAG_CODE = ?";
		String code = RefusalLabels.codeFor(custodians);
		return this.jdbc
			.queryForList(
					"SELECT o.RES_TYPE FROM (" + OF_PERSON + ") o WHERE NOT EXISTS (" + label + ") OR NOT EXISTS ("
							+ label + ") OR NOT EXISTS (" + label + ")",
					String.class, patient, patient, RefusalLabels.ANY.system(), RefusalLabels.ANY.code(),
					RefusalLabels.SYSTEM, code, RefusalLabels.GROUPS, RefusalLabels.bucketOf(code).code())
			.stream()
			.anyMatch((type) -> AccessPolicy.categoryOf(type) == AccessPolicy.Category.CLINICAL);
	}

	/**
	 * Sets the labels of a resource about to be stored from its people's decisions, and
	 * drops any label of ours a client sent: only the server says who may see what.
	 */
	private void label(IBaseResource resource) {
		if (!(resource instanceof Resource stored)
				|| AccessPolicy.categoryOf(resource.fhirType()) != AccessPolicy.Category.CLINICAL) {
			return;
		}
		Meta meta = stored.getMeta();
		meta.getSecurity().removeIf(SharingLabels::isOurs);
		for (Label label : wantedFor(this.people.patientsOf(resource))) {
			meta.addSecurity(new Coding(label.system(), label.code(), null));
		}
	}

	private static boolean isOurs(Coding coding) {
		return RefusalLabels.SYSTEM.equals(coding.getSystem()) || RefusalLabels.GROUPS.equals(coding.getSystem());
	}

	private boolean hasOwnLabel(IBaseResource resource) {
		return resource instanceof Resource stored
				&& stored.getMeta().getSecurity().stream().anyMatch(SharingLabels::isOurs);
	}

	/** The labels a resource of these people carries, from the refusals among them. */
	private Set<Label> wantedFor(Set<String> patients) {
		List<Set<String>> refusals = new ArrayList<>();
		for (String patient : patients) {
			Set<String> custodians = this.directory.custodiansIfRefused(patient);
			if (custodians != null) {
				refusals.add(custodians);
			}
		}
		return RefusalLabels.labelsOf(refusals);
	}

	/**
	 * Relabels a person whose decision was written, when it changed who may see them: a
	 * decision that leaves them as they were (most are permits of people never hidden)
	 * changes no label.
	 */
	private void relabelQuietly(String patient, Set<String> before) {
		try {
			this.directory.refreshNow();
			if (java.util.Objects.equals(before, this.directory.custodiansIfRefused(patient))) {
				return;
			}
			relabelNow(patient);
		}
		catch (RuntimeException ex) {
			// the consent rule on what is shown still hides them; the next decision or
			// a restart relabels
			log.warn("Relabelling a person's records after a sharing decision failed ({})",
					ex.getClass().getSimpleName());
		}
	}

	private void relabelQuietly(IIdType id, Set<String> patients) {
		try {
			this.newTransaction.executeWithoutResult((status) -> relabelOne(id, patients));
		}
		catch (RuntimeException ex) {
			log.warn("Labelling a record written during a sharing decision failed ({})", ex.getClass().getSimpleName());
		}
	}

	/**
	 * Brings the labels of a person's stored resources (the Patient and every resource
	 * that refers to them) in line with the decisions of the people each belongs to, at
	 * once and in one transaction.
	 */
	void relabelNow(String patient) {
		List<IIdType> records = clinicalRecordsOf(patient);
		this.newTransaction.executeWithoutResult((status) -> records.forEach((id) -> relabelOne(id, null)));
	}

	/**
	 * As {@link #relabelNow}, giving way to client requests before each record
	 * ({@link #GIVE_WAY} at most), each in a transaction of its own: no connection is
	 * held while it waits, and a record not yet labelled is still hidden by the consent
	 * rule. Never from a request's thread, whose own request would count as one to give
	 * way to.
	 */
	private void relabelGivingWay(String patient) throws InterruptedException {
		for (IIdType id : clinicalRecordsOf(patient)) {
			this.requests.awaitIdle(GIVE_WAY);
			this.newTransaction.executeWithoutResult((status) -> relabelOne(id, null));
		}
	}

	private List<IIdType> clinicalRecordsOf(String patient) {
		List<IIdType> records = new ArrayList<>();
		this.jdbc.query(OF_PERSON, (row) -> {
			if (AccessPolicy.categoryOf(row.getString("RES_TYPE")) == AccessPolicy.Category.CLINICAL) {
				records.add(new IdType(row.getString("RES_TYPE"), row.getString("FHIR_ID")));
			}
		}, patient, patient);
		return records;
	}

	private void relabelOne(IIdType id, Set<String> knownPatients) {
		@SuppressWarnings("unchecked")
		IFhirResourceDao<IBaseResource> dao = (IFhirResourceDao<IBaseResource>) this.daoRegistry
			.getResourceDao(id.getResourceType());
		IBaseResource stored;
		try {
			stored = dao.read(id, new SystemRequestDetails());
		}
		catch (BaseServerResponseException ex) {
			return; // deleted meanwhile
		}
		Set<Label> wanted = wantedFor((knownPatients != null) ? knownPatients : this.people.patientsOf(stored));
		Set<Label> present = new HashSet<>();
		((Resource) stored).getMeta()
			.getSecurity()
			.stream()
			.filter(SharingLabels::isOurs)
			.forEach((coding) -> present.add(new Label(coding.getSystem(), coding.getCode())));
		Meta remove = new Meta();
		present.stream()
			.filter((label) -> !wanted.contains(label))
			.forEach((label) -> remove.addSecurity(label.system(), label.code(), null));
		Meta add = new Meta();
		wanted.stream()
			.filter((label) -> !present.contains(label))
			.forEach((label) -> add.addSecurity(label.system(), label.code(), null));
		LabelOnlyChanges.run(() -> {
			if (!remove.getSecurity().isEmpty()) {
				dao.metaDeleteOperation(id, remove, new SystemRequestDetails());
			}
			if (!add.getSecurity().isEmpty()) {
				dao.metaAddOperation(id, add, new SystemRequestDetails());
			}
		});
	}

}
