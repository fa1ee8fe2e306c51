package org.openepaccs.metrics;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Everyone's facts, kept current: read once in full, then brought up to date before each
 * report by reading again only the people whose records changed since. A report costs
 * counting plus the changes, not the population, which reading the facts in full would
 * (tens of index queries over every record).
 * <p>
 * Changes are found by {@code HFJ_RESOURCE.RES_UPDATED} (indexed) and version. A write is
 * given its time before it commits, so the last {@link #OVERLAP} is looked at again each
 * time, and a write that takes longer than that to commit is counted at the next full
 * read. A deleted record no longer names its person, and a record moved to another person
 * no longer names the first: both are counted at the next full read, which runs in the
 * background every {@code epaccs.metrics.full-read-every} and straight after a deletion.
 * HAPI stores {@code RES_UPDATED} in the server's local time: where that zone has summer
 * time, the writes of the hour repeated each autumn, and those of a replica whose clock
 * is more than the overlap behind, are likewise counted at the next full read (the
 * container image runs in UTC). Callers that arrive while the facts are brought up to
 * date wait for that rather than repeat it, so the dashboard's seven requests cost one
 * catch-up.
 */
@Component
class CurrentFacts {

	private static final Logger log = LoggerFactory.getLogger(CurrentFacts.class);

	/** How long before its commit a write may be given its time, and still be seen. */
	static final Duration OVERLAP = Duration.ofSeconds(60);

	/** More changed records than this since the last report are read in full. */
	private static final int MOST_CHANGES = 20_000;

	/** More people than this to read again are read in full. */
	private static final int MOST_PEOPLE = 5_000;

	/**
	 * The people read again in one go (their records' keys are written into the queries);
	 * more are read in several.
	 */
	private static final int PEOPLE_PER_READ = 200;

	/** The records whose changes the facts depend on. */
	private static final Set<String> TYPES = Set.of("Patient", "EpisodeOfCare", "CarePlan", "Observation", "Flag",
			"Procedure", "Encounter", "Condition", "Organization");

	private final IndexedFacts facts;

	private final JdbcTemplate jdbc;

	private final Duration fullReadEvery;

	private final ReentrantLock catchingUp = new ReentrantLock();

	private final AtomicBoolean fullReadRunning = new AtomicBoolean();

	private final AtomicBoolean fullReadOwed = new AtomicBoolean();

	private final ExecutorService background = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "metrics-full-read");
		thread.setDaemon(true);
		return thread;
	});

	private volatile Snapshot current;

	/**
	 * The facts as of a moment, and what was written up to it.
	 *
	 * @param people facts by Patient key
	 * @param seenUpTo the latest change time seen
	 * @param seenVersions the version of each record changed since {@code seenUpTo} less
	 * the overlap, as counted
	 * @param fullReadAt when the last full read began ({@link System#nanoTime()})
	 */
	private record Snapshot(Map<Long, PersonFacts> people, Timestamp seenUpTo, Map<Long, Long> seenVersions,
			long fullReadAt) {
	}

	CurrentFacts(IndexedFacts facts, JdbcTemplate jdbc, MetricsProperties properties) {
		this.facts = facts;
		this.jdbc = jdbc;
		this.fullReadEvery = properties.fullReadEvery();
	}

	/** Reads everyone once at start, so that the first report need not. */
	@EventListener(ApplicationReadyEvent.class)
	void readAtStart() {
		this.background.execute(() -> {
			try {
				people();
			}
			catch (DataAccessException ex) {
				// the database is away; the first report reads them
				log.debug("The metrics' facts were not read at start: {}", ex.getClass().getSimpleName());
			}
		});
	}

	/** Everyone who has ever had a register entry, or whose death is recorded. */
	Collection<PersonFacts> people() {
		this.catchingUp.lock();
		try {
			Snapshot before = this.current;
			Snapshot now = (before == null) ? fullRead() : catchUp(before);
			this.current = now;
			if (this.fullReadOwed.get() || System.nanoTime() - now.fullReadAt() > this.fullReadEvery.toNanos()) {
				readAllInTheBackground(false);
			}
			return now.people().values();
		}
		finally {
			this.catchingUp.unlock();
		}
	}

	private Snapshot fullRead() {
		long startedAt = System.nanoTime();
		Timestamp mark = this.jdbc.queryForObject("SELECT MAX(RES_UPDATED) FROM HFJ_RESOURCE", Timestamp.class);
		// the changes of the last overlap before the mark that have committed are in the
		// read that follows; any other is caught up with as a change
		Changes recent = changesSince(mark, Map.of());
		return new Snapshot(Map.copyOf(this.facts.read(null)), recent.latest(), recent.versions(), startedAt);
	}

	/**
	 * Starts a full read in the background unless one runs. With {@code owedIfRunning} (a
	 * deletion seen), one that runs already may have passed the deleted record, so
	 * another follows it.
	 */
	private void readAllInTheBackground(boolean owedIfRunning) {
		if (owedIfRunning) {
			this.fullReadOwed.set(true);
		}
		if (!this.fullReadRunning.compareAndSet(false, true)) {
			return;
		}
		// this read begins after whatever was owed until now
		this.fullReadOwed.set(false);
		this.background.execute(this::readAll);
	}

	private void readAll() {
		try {
			do {
				Snapshot read = fullRead();
				this.catchingUp.lock();
				try {
					// what changed while it read is caught up with at the next report
					this.current = read;
				}
				finally {
					this.catchingUp.unlock();
				}
			}
			while (this.fullReadOwed.getAndSet(false));
		}
		catch (DataAccessException ex) {
			this.fullReadOwed.set(true);
			log.info("The metrics' facts could not be read in full ({}); the next report tries again",
					ex.getClass().getSimpleName());
		}
		finally {
			// one owed from now on starts at the next report
			this.fullReadRunning.set(false);
		}
	}

	private Snapshot catchUp(Snapshot before) {
		Changes changes = changesSince(before.seenUpTo(), before.seenVersions());
		if (changes.changed().isEmpty()) {
			return new Snapshot(before.people(), changes.latest(), changes.versions(), before.fullReadAt());
		}
		if (changes.changed().size() > MOST_CHANGES) {
			// a bulk load: one full read costs less than reading that many people again
			return fullRead();
		}
		Set<Long> people = peopleOf(changes.changed(), changes.deleted());
		if (people.size() > MOST_PEOPLE) {
			// a practice's people relabelled at once, say
			return fullRead();
		}
		Map<Long, PersonFacts> after = new HashMap<>(before.people());
		List<Long> all = new ArrayList<>(people);
		for (int i = 0; i < all.size(); i += PEOPLE_PER_READ) {
			List<Long> some = all.subList(i, Math.min(all.size(), i + PEOPLE_PER_READ));
			some.forEach(after::remove);
			this.facts.read(this.facts.scopeOf(some)).forEach((patient, facts) -> {
				if (some.contains(patient)) {
					after.put(patient, facts);
				}
			});
		}
		return new Snapshot(after, changes.latest(), changes.versions(), before.fullReadAt());
	}

	/**
	 * The records changed from the overlap before {@code seenUpTo} on.
	 *
	 * @param versions the version of each record in that time
	 * @param latest the latest change time seen
	 * @param changed the type of each record whose version is not the one counted
	 * @param deleted those of them that are deleted
	 */
	private record Changes(Map<Long, Long> versions, Timestamp latest, Map<Long, String> changed, Set<Long> deleted) {
	}

	private Changes changesSince(Timestamp seenUpTo, Map<Long, Long> counted) {
		Timestamp from = (seenUpTo != null) ? new Timestamp(seenUpTo.getTime() - OVERLAP.toMillis()) : new Timestamp(0);
		Map<Long, Long> versions = new HashMap<>();
		Map<Long, String> changed = new HashMap<>();
		Set<Long> deleted = new HashSet<>();
		Timestamp[] latest = { seenUpTo };
		this.jdbc.query("SELECT RES_ID, RES_TYPE, RES_VER, RES_UPDATED, RES_DELETED_AT FROM HFJ_RESOURCE"
				+ " WHERE RES_UPDATED >= ?", (row) -> {
					String type = row.getString(2);
					if (!TYPES.contains(type)) {
						return;
					}
					long id = row.getLong(1);
					long version = row.getLong(3);
					Timestamp updated = row.getTimestamp(4);
					versions.put(id, version);
					if (latest[0] == null || updated.after(latest[0])) {
						latest[0] = updated;
					}
					if (!Long.valueOf(version).equals(counted.get(id))) {
						changed.put(id, type);
						if (row.getTimestamp(5) != null) {
							deleted.add(id);
						}
					}
				}, from);
		return new Changes(versions, latest[0], changed, deleted);
	}

	/**
	 * The people whose facts the changed records may change: a Patient itself, the person
	 * a clinical record names, and the people registered with (or on the register of) a
	 * changed Organization. A deleted record names nobody any more: the next full read,
	 * started now, counts its deletion.
	 */
	private Set<Long> peopleOf(Map<Long, String> changedTypes, Set<Long> deleted) {
		Set<Long> people = new HashSet<>();
		Set<Long> records = new HashSet<>();
		Set<Long> organisations = new HashSet<>();
		changedTypes.forEach((id, type) -> {
			if ("Patient".equals(type)) {
				people.add(id);
			}
			else if (deleted.contains(id)) {
				readAllInTheBackground(true);
			}
			else if ("Organization".equals(type)) {
				organisations.add(id);
			}
			else {
				records.add(id);
			}
		});
		if (!organisations.isEmpty()) {
			this.jdbc
				.query("SELECT SRC_RESOURCE_ID, SOURCE_RESOURCE_TYPE FROM HFJ_RES_LINK WHERE TARGET_RESOURCE_ID IN ("
						+ IndexedFacts.Scope.list(organisations)
						+ ") AND SOURCE_RESOURCE_TYPE IN ('Patient', 'EpisodeOfCare')", (row) -> {
							(("Patient".equals(row.getString(2))) ? people : records).add(row.getLong(1));
						});
		}
		if (!records.isEmpty()) {
			this.jdbc.query("SELECT TARGET_RESOURCE_ID FROM HFJ_RES_LINK WHERE SRC_RESOURCE_ID IN ("
					+ IndexedFacts.Scope.list(records) + ") AND TARGET_RESOURCE_TYPE = 'Patient'"
					+ " AND TARGET_RESOURCE_ID IS NOT NULL", (row) -> {
						people.add(row.getLong(1));
					});
		}
		return people;
	}

}
