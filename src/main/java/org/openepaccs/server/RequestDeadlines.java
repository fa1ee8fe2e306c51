package org.openepaccs.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.postgresql.PGConnection;

/**
 * The database time budget of each FHIR request being served, and the connections it
 * holds, so that a request whose time is up can have its statement cancelled from outside
 * (PostgreSQL's cancel request, as {@code Statement.cancel()} sends it).
 * <p>
 * Why not PostgreSQL's {@code statement_timeout}: it limits each statement, not the
 * request, and it would also cut off the server's own long jobs (schema migration,
 * reindexing). Only connections taken while serving a request are tracked.
 */
final class RequestDeadlines {

	private final Map<Thread, Deadline> byThread = new ConcurrentHashMap<>();

	Deadline begin(Duration budget) {
		Deadline deadline = new Deadline(System.nanoTime() + budget.toNanos(), budget);
		this.byThread.put(Thread.currentThread(), deadline);
		return deadline;
	}

	void end(Deadline deadline) {
		this.byThread.remove(Thread.currentThread(), deadline);
	}

	/** The budget of the request this thread is serving, or null. */
	Deadline current() {
		return this.byThread.get(Thread.currentThread());
	}

	/**
	 * A connection taken by the current thread: tracked until it is closed (returned to
	 * the pool) if the thread is serving a request, else as it is.
	 */
	Connection track(Connection connection) throws SQLException {
		Deadline deadline = current();
		if (deadline == null) {
			return connection;
		}
		if (deadline.isPassed()) {
			connection.close();
			throw new java.sql.SQLTimeoutException("The request's database time budget is used up");
		}
		deadline.open.add(connection);
		return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, arguments) -> {
					if ("close".equals(method.getName())) {
						deadline.open.remove(connection);
					}
					else if (method.getName().startsWith("prepare") || "createStatement".equals(method.getName())) {
						// no new statement once the time is up; one already running is
						// cancelled by the watchdog
						if (deadline.isPassed()) {
							throw new java.sql.SQLTimeoutException("The request's database time budget is used up");
						}
					}
					try {
						return method.invoke(connection, arguments);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
	}

	/**
	 * Cancels whatever the requests past their budget are running; called often, so a
	 * request that starts another statement after its budget is cut off again.
	 */
	void cancelOverdue() {
		long now = System.nanoTime();
		for (Deadline deadline : this.byThread.values()) {
			if (now - deadline.endNanos > 0) {
				deadline.passed = true;
				deadline.open.forEach(RequestDeadlines::cancel);
			}
		}
	}

	private static void cancel(Connection connection) {
		try {
			if (connection.isWrapperFor(PGConnection.class)) {
				connection.unwrap(PGConnection.class).cancelQuery();
			}
		}
		catch (SQLException ex) {
			// the connection is gone already: nothing left to cancel
		}
	}

	static final class Deadline {

		private final long endNanos;

		private final Duration budget;

		private final Set<Connection> open = ConcurrentHashMap.newKeySet();

		private volatile boolean passed;

		private Deadline(long endNanos, Duration budget) {
			this.endNanos = endNanos;
			this.budget = budget;
		}

		boolean isPassed() {
			return this.passed || System.nanoTime() - this.endNanos > 0;
		}

		Duration budget() {
			return this.budget;
		}

	}

}
