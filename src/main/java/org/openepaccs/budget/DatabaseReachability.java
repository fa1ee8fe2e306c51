package org.openepaccs.budget;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Whether the database can be reached now, as a probe connection of its own finds every
 * quarter of a second: the {@code db} component of readiness, and the one log line that
 * an outage began and the one that it ended.
 * <p>
 * Why a connection of its own rather than one from the pool: while the database is away
 * the pool makes each caller wait its whole connection timeout and retries with a backoff
 * of up to several seconds, so a check through it would report an outage and a recovery
 * late by that much. The probe connection is opened with short timeouts and kept open, so
 * a check costs one round trip. Why its own thread: a check may wait for a timeout, and
 * the server's shared scheduler also runs the request deadline watchdog, which must not
 * wait behind it.
 */
final class DatabaseReachability implements HealthIndicator, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(DatabaseReachability.class);

	static final Duration CHECK_EVERY = Duration.ofMillis(250);

	/** Opens a new probe connection with short timeouts. */
	interface ProbeConnections {

		Connection open() throws SQLException;

	}

	private final ProbeConnections connections;

	private final ScheduledExecutorService checks;

	// touched only by the check thread (and by close)
	private Connection probe;

	private volatile boolean checked;

	private volatile boolean reachable = true;

	private volatile long downSinceNanos;

	DatabaseReachability(ProbeConnections connections) {
		this.connections = connections;
		this.checks = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "database-reachability");
			thread.setDaemon(true);
			return thread;
		});
	}

	/** Starts the checks; the first runs at once. */
	DatabaseReachability start() {
		this.checks.scheduleWithFixedDelay(this::check, 0, CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
		return this;
	}

	/** Whether the last check reached the database (true before the first check). */
	boolean isReachable() {
		return this.reachable;
	}

	/**
	 * Whether the database can be reached at this moment: known away, or checked now.
	 */
	boolean reachableNow() {
		if (this.reachable) {
			check();
		}
		return this.reachable;
	}

	@Override
	public Health health() {
		if (!this.checked) {
			check();
		}
		return this.reachable ? Health.up().build() : Health.down().build();
	}

	synchronized void check() {
		SQLException failure = null;
		try {
			if (this.probe != null && !this.probe.isValid(1)) {
				closeProbe();
			}
			if (this.probe == null) {
				this.probe = this.connections.open();
			}
		}
		catch (SQLException ex) {
			closeProbe();
			failure = ex;
		}
		catch (RuntimeException ex) {
			closeProbe();
			failure = new SQLException(ex.getClass().getSimpleName(), "08000", ex);
		}
		record(failure);
	}

	private void record(SQLException failure) {
		boolean wasReachable = this.reachable || !this.checked;
		if (failure == null) {
			if (!this.reachable) {
				long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - this.downSinceNanos);
				log.info("The database can be reached again, after {} s away; readiness is UP", seconds);
			}
			this.reachable = true;
		}
		else {
			if (wasReachable) {
				this.downSinceNanos = System.nanoTime();
				// the class and SQLSTATE only: the driver's message may quote the
				// connection's settings
				log.warn("The database cannot be reached ({}, SQLSTATE {}): FHIR requests get 503 with Retry-After and "
						+ "readiness is DOWN until it is back; failures caused by the outage are not logged "
						+ "one by one", failure.getClass().getSimpleName(), failure.getSQLState());
			}
			this.reachable = false;
		}
		this.checked = true;
	}

	private void closeProbe() {
		if (this.probe != null) {
			try {
				this.probe.close();
			}
			catch (SQLException ex) {
				// already gone with the database: nothing to close
			}
			this.probe = null;
		}
	}

	@Override
	public void destroy() {
		this.checks.shutdownNow();
		synchronized (this) {
			closeProbe();
		}
	}

}
