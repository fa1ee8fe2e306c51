package org.openepaccs.budget;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.openepaccs.common.WorkDeadline;
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
		return begin(budget, -1, -1);
	}

	/**
	 * Opens the budget of the request this thread serves, over the TCP connection between
	 * the server's local port and the client's port (-1 if unknown).
	 */
	Deadline begin(Duration budget, int localPort, int remotePort) {
		long now = System.nanoTime();
		Deadline deadline = new Deadline(now, now + budget.toNanos(), budget, localPort, remotePort);
		this.byThread.put(Thread.currentThread(), deadline);
		WorkDeadline.begin(deadline::isPassed);
		return deadline;
	}

	void end(Deadline deadline) {
		this.byThread.remove(Thread.currentThread(), deadline);
		WorkDeadline.end();
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

	/**
	 * Cancels whatever the requests whose client has closed the connection are running,
	 * and stops them starting more: nobody is waiting for their answer. Only requests
	 * older than {@code after} are looked at, and only once their connection has been
	 * seen open, so a connection the kernel's table cannot show (another network
	 * namespace, a port rewritten on the way) never counts as closed.
	 * @return how many requests were found abandoned
	 */
	int cancelAbandoned(Duration after) {
		long now = System.nanoTime();
		ClientConnections connections = null;
		int abandoned = 0;
		for (Deadline deadline : this.byThread.values()) {
			if (deadline.remotePort <= 0 || deadline.passed || now - deadline.startNanos < after.toNanos()) {
				continue;
			}
			if (connections == null) {
				connections = ClientConnections.now();
			}
			ClientConnections.State state = connections.of(deadline.localPort, deadline.remotePort);
			if (state == ClientConnections.State.OPEN) {
				deadline.seenOpen = true;
			}
			else if (state == ClientConnections.State.CLOSED_BY_CLIENT
					|| (state == ClientConnections.State.ABSENT && deadline.seenOpen)) {
				deadline.passed = true;
				deadline.open.forEach(RequestDeadlines::cancel);
				abandoned++;
			}
		}
		return abandoned;
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

		private final long startNanos;

		private final long endNanos;

		private final Duration budget;

		private final int localPort;

		private final int remotePort;

		private volatile boolean seenOpen;

		private final Set<Connection> open = ConcurrentHashMap.newKeySet();

		private volatile boolean passed;

		private Deadline(long startNanos, long endNanos, Duration budget, int localPort, int remotePort) {
			this.startNanos = startNanos;
			this.endNanos = endNanos;
			this.budget = budget;
			this.localPort = localPort;
			this.remotePort = remotePort;
		}

		boolean isPassed() {
			return this.passed || System.nanoTime() - this.endNanos > 0;
		}

		Duration budget() {
			return this.budget;
		}

	}

}
