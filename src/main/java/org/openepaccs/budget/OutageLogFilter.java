package org.openepaccs.budget;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.openepaccs.common.Causes;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Keeps out of the log the warnings and errors that only say the database cannot be
 * reached: while it is away every request, pool and scheduled job fails the same way, and
 * {@link DatabaseReachability} says so once when the outage begins and once when it ends.
 * A line is left out when the failure it carries is a lost database connection (as
 * {@link DatabaseUnavailableInterceptor} recognises one), when it names only such a
 * failure's class, or when it is the connection pool's note of a connection found dead. A
 * line carrying some other failure of the database layer (JDBC, the pool, Hibernate,
 * Spring's transactions) is left out when a check at that moment finds the database away:
 * a connection ended in the middle of a statement surfaces in forms no list can hold (the
 * PostgreSQL driver's {@code AssertionError} on a batch is recognised by its shape, since
 * the probe behind that check can outlive the connection by a moment). Everything else,
 * below WARN included, passes untouched.
 * <p>
 * It starts once the application is ready: a database that cannot be reached while the
 * server starts stops the start-up, and that failure must be logged in full.
 */
final class OutageLogFilter extends TurboFilter implements ApplicationListener<ApplicationReadyEvent>, DisposableBean {

	// the names of a lost connection, as the server's own warnings give a failure's class
	private static final List<String> CONNECTION_FAILURES = List.of("CannotGetJdbcConnectionException",
			"CannotCreateTransactionException", "DataAccessResourceFailureException", "SQLTransientConnectionException",
			"JDBCConnectionException");

	// HikariCP's warnings about a pooled connection that the database closed
	private static final List<String> POOL_NOTES = List.of("{} - Failed to validate connection",
			"{} - Connection {} marked as broken");

	private static final List<String> DATABASE_LAYER = List.of("java.sql.", "org.postgresql.", "com.zaxxer.hikari.",
			"org.hibernate.", "jakarta.persistence.", "org.springframework.dao.", "org.springframework.jdbc.",
			"org.springframework.orm.", "org.springframework.transaction.", "org.h2.");

	private final DatabaseReachability reachability;

	OutageLogFilter(DatabaseReachability reachability) {
		this.reachability = reachability;
	}

	@Override
	public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
			Throwable throwable) {
		if (level == null || !level.isGreaterOrEqual(Level.WARN)
				|| DatabaseReachability.class.getName().equals(logger.getName())) {
			return FilterReply.NEUTRAL;
		}
		Throwable failure = (throwable != null) ? throwable : lastThrowable(params);
		if (failure != null && DatabaseUnavailableInterceptor.isDatabaseUnreachable(failure)) {
			return FilterReply.DENY;
		}
		if (failure != null && fromTheDatabaseLayer(failure) && this.reachability != null
				&& !this.reachability.reachableNow()) {
			return FilterReply.DENY;
		}
		if (format != null) {
			for (String note : POOL_NOTES) {
				if (format.startsWith(note)) {
					return FilterReply.DENY;
				}
			}
			if (params != null && params.length > 0 && format.endsWith("{}")
					&& CONNECTION_FAILURES.contains(String.valueOf(params[params.length - 1]))) {
				return FilterReply.DENY;
			}
		}
		return FilterReply.NEUTRAL;
	}

	static boolean fromTheDatabaseLayer(Throwable failure) {
		return Causes.any(failure, (cause) -> inTheDatabaseLayer(cause.getClass().getName())
				|| (cause.getStackTrace().length > 0 && inTheDatabaseLayer(cause.getStackTrace()[0].getClassName())));
	}

	private static boolean inTheDatabaseLayer(String className) {
		for (String layer : DATABASE_LAYER) {
			if (className.startsWith(layer)) {
				return true;
			}
		}
		return false;
	}

	private static Throwable lastThrowable(Object[] params) {
		return (params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last) ? last
				: null;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (!isStarted() && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
			setName("database-outage");
			setContext(context);
			start();
			context.addTurboFilter(this);
		}
	}

	@Override
	public void destroy() {
		if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
			context.getTurboFilterList().remove(this);
		}
		stop();
	}

}
