package org.openepaccs.records;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One writer at a time per person for the record rules that count a person's other
 * resources ("one active register entry"): without it two transactions each check, find
 * none, and both insert. The lock is taken before the check and held until the database
 * transaction ends, so the second writer checks after the first has committed and sees
 * its entry. On PostgreSQL it is a transaction-scoped advisory lock, which also holds
 * between several server instances; on the embedded H2 database (one instance by
 * construction) it is a lock in this process.
 */
@Component
class PersonLocks {

	/**
	 * The first key of our advisory locks, so that they do not collide with another
	 * application's on the same database.
	 */
	private static final int NAMESPACE = 0x45504143;

	/** How long a writer waits for another writer of the same person on H2. */
	private static final long WAIT_SECONDS = 10;

	private final JdbcTemplate jdbc;

	private final ReentrantLock[] stripes = new ReentrantLock[256];

	private volatile Boolean postgres;

	PersonLocks(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		for (int i = 0; i < this.stripes.length; i++) {
			this.stripes[i] = new ReentrantLock();
		}
	}

	/**
	 * Takes the lock of this person (a reference such as {@code Patient/123}) for the
	 * rest of the current database transaction; outside a transaction there is nothing to
	 * hold it until, and the caller's check stays as it was.
	 */
	void lock(String person) {
		if (person == null || !TransactionSynchronizationManager.isActualTransactionActive()) {
			return;
		}
		Held held = held();
		if (!held.people.add(person)) {
			return;
		}
		if (isPostgres()) {
			this.jdbc.query("select pg_advisory_xact_lock(?, ?)", (resultSet) -> null, NAMESPACE, person.hashCode());
			return;
		}
		ReentrantLock stripe = this.stripes[Math.floorMod(person.hashCode(), this.stripes.length)];
		try {
			if (!stripe.tryLock(WAIT_SECONDS, TimeUnit.SECONDS)) {
				throw busy();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw busy();
		}
		held.stripes.add(stripe);
	}

	private static ResourceVersionConflictException busy() {
		return new ResourceVersionConflictException(
				"Another change to this person's record is in progress: retry this request");
	}

	/** What this transaction holds, released when it ends, however it ends. */
	private Held held() {
		Held held = (Held) TransactionSynchronizationManager.getResource(this);
		if (held == null) {
			Held created = new Held();
			TransactionSynchronizationManager.bindResource(this, created);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCompletion(int status) {
					TransactionSynchronizationManager.unbindResourceIfPossible(PersonLocks.this);
					created.release();
				}
			});
			held = created;
		}
		return held;
	}

	private boolean isPostgres() {
		Boolean known = this.postgres;
		if (known == null) {
			known = this.jdbc.execute((ConnectionCallback<Boolean>) PersonLocks::isPostgres);
			this.postgres = known;
		}
		return known;
	}

	private static Boolean isPostgres(Connection connection) throws SQLException {
		return "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
	}

	private static final class Held {

		private final Set<String> people = new HashSet<>();

		private final List<ReentrantLock> stripes = new ArrayList<>();

		void release() {
			this.stripes.forEach(ReentrantLock::unlock);
			this.stripes.clear();
			this.people.clear();
		}

	}

}
