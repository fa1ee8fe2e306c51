package org.openepaccs.common;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;
import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one lock that replicas starting together on one PostgreSQL database take around
 * what a start writes to the database (schema migrations, the resource types HAPI keeps,
 * the conformance package): one replica does the work while the others wait, then each
 * finds it done and skips it. It is a PostgreSQL transaction-level advisory lock, held by
 * a transaction left open on a connection of its own for as long as the work runs: it is
 * released when that transaction ends, and so also when the process dies or its
 * connection is cut, never left behind on a pooled connection.
 * <p>
 * On H2 (the embedded default) the work simply runs: H2 locks its database file to the
 * one process that opened it, so there is nobody to wait for.
 */
public final class StartupLock {

	/** Any fixed number: the lock is per database, and only this server takes it. */
	static final long KEY = 0x6570616363735354L; // "epaccsST"

	private static final Logger log = LoggerFactory.getLogger(StartupLock.class);

	/**
	 * Whether this thread holds the lock: taken again on another connection it would wait
	 * for itself, so work under the lock runs nested work as it is.
	 */
	private static final ThreadLocal<Boolean> held = ThreadLocal.withInitial(() -> false);

	private StartupLock() {
	}

	/**
	 * Runs the work while holding the lock, waiting as long as another replica holds it.
	 * @param what what the work is, for the log
	 */
	public static <T> T holding(DataSource dataSource, String what, Supplier<T> work) {
		if (held.get()) {
			return work.get();
		}
		try (Connection connection = dataSource.getConnection()) {
			if (!"PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
				return work.get();
			}
			boolean autoCommit = connection.getAutoCommit();
			connection.setAutoCommit(false);
			try {
				noTimeLimits(connection);
				if (!lock(connection, "select pg_try_advisory_xact_lock(?)")) {
					long waiting = System.nanoTime();
					log.info("Waiting for another replica to finish its start-up writes before {}", what);
					lock(connection, "select true from pg_advisory_xact_lock(?)");
					log.info("Another replica's start-up writes are done (waited {} ms): {} now",
							(System.nanoTime() - waiting) / 1_000_000, what);
				}
				held.set(true);
				return work.get();
			}
			finally {
				held.set(false);
				// ends the transaction, and with it the lock
				connection.rollback();
				connection.setAutoCommit(autoCommit);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(
					"Cannot take the database's start-up lock before " + what + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * A time limit a DBA set on statements, locks or idle transactions must neither cut
	 * the wait short nor end the lock while the work runs.
	 */
	private static void noTimeLimits(Connection connection) throws SQLException {
		try (Statement limits = connection.createStatement()) {
			limits.execute("set local statement_timeout = 0");
			limits.execute("set local lock_timeout = 0");
			limits.execute("set local idle_in_transaction_session_timeout = 0");
		}
	}

	private static boolean lock(Connection connection, String sql) throws SQLException {
		try (PreparedStatement lock = connection.prepareStatement(sql)) {
			lock.setLong(1, KEY);
			try (ResultSet result = lock.executeQuery()) {
				return result.next() && result.getBoolean(1);
			}
		}
	}

}
