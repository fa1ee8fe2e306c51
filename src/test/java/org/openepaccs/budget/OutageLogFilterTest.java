package org.openepaccs.budget;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.CannotGetJdbcConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which log lines an outage keeps out, and which it leaves. */
class OutageLogFilterTest {

	private final LoggerContext context = new LoggerContext();

	private final OutageLogFilter filter = new OutageLogFilter(null);

	@Test
	void leavesOutWarningsThatOnlySayTheDatabaseIsAway() {
		CannotGetJdbcConnectionException lost = new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
				new SQLTransientConnectionException("HikariPool-1 - Connection is not available", "08001"));

		assertThat(decide("ca.uhn.fhir.interceptor.executor.BaseInterceptorService", Level.ERROR,
				"Exception thrown by interceptor", null, lost))
			.isEqualTo(FilterReply.DENY);
		assertThat(decide("org.quartz.core.JobRunShell", Level.ERROR, "Job {} threw an unhandled Exception: ",
				new Object[] { "HAPI.reindex", lost }, null))
			.isEqualTo(FilterReply.DENY);
		assertThat(decide("org.openepaccs.audit.AuditInterceptor", Level.WARN,
				"The audit event of a failed request could not be stored: {}",
				new Object[] { "CannotGetJdbcConnectionException" }, null))
			.isEqualTo(FilterReply.DENY);
		assertThat(decide("com.zaxxer.hikari.pool.PoolBase", Level.WARN,
				"{} - Failed to validate connection {} ({}). Possibly consider using a shorter maxLifetime value.",
				new Object[] { "HikariPool-1", "PgConnection@1", "This connection has been closed." }, null))
			.isEqualTo(FilterReply.DENY);
	}

	@Test
	void leavesEveryOtherLineAndTheOutagesOwn() {
		SQLException duplicate = new SQLException("duplicate key", "23505");

		assertThat(decide("org.hibernate.Something", Level.ERROR, "Failed", null, duplicate))
			.isEqualTo(FilterReply.NEUTRAL);
		assertThat(decide("org.openepaccs.audit.AuditInterceptor", Level.WARN, "Could not be stored: {}",
				new Object[] { "DuplicateKeyException" }, null))
			.isEqualTo(FilterReply.NEUTRAL);
		assertThat(decide("ca.uhn.fhir.Anything", Level.INFO, "Connection lost", null,
				new SQLTransientConnectionException("lost", "08006")))
			.as("below WARN")
			.isEqualTo(FilterReply.NEUTRAL);
		assertThat(decide(DatabaseReachability.class.getName(), Level.WARN, "The database cannot be reached ({})",
				new Object[] { "SQLTransientConnectionException" }, null))
			.isEqualTo(FilterReply.NEUTRAL);
	}

	@Test
	void leavesOutADatabaseLayerFailureOnlyWhileTheDatabaseIsAway() {
		// a failure of the database layer in a form no list holds
		IllegalStateException cutOff = thrownAt(new IllegalStateException("Session/EntityManager is closed"),
				"org.hibernate.internal.AbstractSharedSessionContract", "checkOpen");
		Logger transactions = transactionManagersLogger();
		String format = "Commit exception overridden by rollback exception";

		assertThat(
				new OutageLogFilter(reachability(false)).decide(null, transactions, Level.ERROR, format, null, cutOff))
			.isEqualTo(FilterReply.DENY);
		assertThat(
				new OutageLogFilter(reachability(true)).decide(null, transactions, Level.ERROR, format, null, cutOff))
			.isEqualTo(FilterReply.NEUTRAL);
		assertThat(new OutageLogFilter(reachability(false)).decide(null, transactions, Level.ERROR, "Bug", null,
				new IllegalStateException("not the database's")))
			.isEqualTo(FilterReply.NEUTRAL);
	}

	@Test
	void leavesOutTheDriversAssertionOnAClosedConnectionEvenBeforeTheProbeNotices() {
		// what the PostgreSQL driver throws when its connection is ended in a batch; the
		// database ends its connections one after another, so the probe may still answer
		AssertionError cutOff = thrownAt(
				new AssertionError("pgStatement.getConnection().getAutoCommit() should not throw"),
				"org.postgresql.jdbc.BatchResultHandler", "isAutoCommit");
		Logger transactions = transactionManagersLogger();

		assertThat(new OutageLogFilter(reachability(true)).decide(null, transactions, Level.ERROR,
				"Commit exception overridden by rollback exception", null, cutOff))
			.isEqualTo(FilterReply.DENY);
	}

	private static DatabaseReachability reachability(boolean reachable) {
		return new DatabaseReachability(() -> {
			if (!reachable) {
				throw new SQLTransientConnectionException("refused", "08001");
			}
			return org.mockito.Mockito.mock(java.sql.Connection.class);
		});
	}

	/** The failure as thrown by this method: the frame the filter looks at. */
	private static <T extends Throwable> T thrownAt(T failure, String className, String method) {
		failure.setStackTrace(new StackTraceElement[] { new StackTraceElement(className, method, null, 1) });
		return failure;
	}

	/** Where Spring logs a commit that failed and was rolled back. */
	private Logger transactionManagersLogger() {
		return this.context.getLogger("org.springframework.orm.jpa.JpaTransactionManager");
	}

	private FilterReply decide(String logger, Level level, String format, Object[] params, Throwable throwable) {
		Logger target = this.context.getLogger(logger);
		return this.filter.decide(null, target, level, format, params, throwable);
	}

}
