package org.openepaccs.budget;

import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.EnumSet;
import java.util.Set;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.openepaccs.common.Causes;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * While the database cannot be reached, requests get 503 with {@code Retry-After} and an
 * OperationOutcome that says so, instead of a 500: the client did nothing wrong and
 * should simply try again shortly. Nothing was stored, because nothing could be.
 * <p>
 * A failure is the database's absence when its causes include a lost connection, or when
 * it is a server error or a conflict while {@link DatabaseReachability} finds the
 * database away: HAPI runs a search's query on a thread of its own and hands the request
 * only the status and message of what went wrong there, so the cause is lost on the way.
 * A search that fails with 409 is always such a case: the only row a search writes is
 * HAPI's record of the search, and its "version constraint failure" is that record cut
 * off half written, not a conflict the client could resolve.
 */
@Order(InterceptorOrder.FAILURES)
@Interceptor
class DatabaseUnavailableInterceptor implements FhirServerInterceptor {

	static final int RETRY_AFTER_SECONDS = 5;

	private static final Set<RestOperationTypeEnum> SEARCHES = EnumSet.of(RestOperationTypeEnum.SEARCH_TYPE,
			RestOperationTypeEnum.SEARCH_SYSTEM, RestOperationTypeEnum.GET_PAGE);

	private final DatabaseReachability reachability;

	DatabaseUnavailableInterceptor(DatabaseReachability reachability) {
		this.reachability = reachability;
	}

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException unavailable(RequestDetails request, Throwable failure) {
		int status = (failure instanceof BaseServerResponseException answer) ? answer.getStatusCode() : 500;
		boolean serverSide = status >= 500 || status == 409;
		boolean searchCacheCutOff = status == 409 && request != null
				&& SEARCHES.contains(request.getRestOperationType());
		if (!isDatabaseUnreachable(failure) && !searchCacheCutOff
				&& !(serverSide && !this.reachability.isReachable())) {
			return null;
		}
		DatabaseUnavailableException unavailable = new DatabaseUnavailableException();
		unavailable.addResponseHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
		return unavailable;
	}

	static boolean isDatabaseUnreachable(Throwable failure) {
		return Causes.anyWithSuppressed(failure, DatabaseUnavailableInterceptor::saysTheDatabaseIsUnreachable);
	}

	private static boolean saysTheDatabaseIsUnreachable(Throwable cause) {
		if (cause instanceof CannotCreateTransactionException || cause instanceof DataAccessResourceFailureException
				|| cause instanceof SQLTransientConnectionException
				|| cause instanceof SQLNonTransientConnectionException || cause instanceof SQLRecoverableException
				|| cause instanceof SocketException
				|| cause instanceof org.hibernate.exception.JDBCConnectionException) {
			return true;
		}
		// SQLSTATE class 08: connection exception; 57P01-57P03: the server is shutting
		// down or not yet accepting connections. "Connection is closed" is the pool's
		// answer when a connection was cut off while the request was using it.
		if (cause instanceof SQLException sql && ((sql.getSQLState() != null
				&& (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P")))
				|| "Connection is closed".equals(sql.getMessage()))) {
			return true;
		}
		return isDriverAssertionOnAClosedConnection(cause);
	}

	/**
	 * The PostgreSQL driver's answer when the connection of a batch in flight is closed
	 * under it: its batch handler asks the closed connection whether it auto-commits, the
	 * connection throws, and the handler turns that into an {@link AssertionError}
	 * without a cause. The probe that {@link OutageLogFilter} asks can still be open at
	 * that moment (the database ends its connections one after another), so the failure
	 * is known by its own shape.
	 */
	private static boolean isDriverAssertionOnAClosedConnection(Throwable failure) {
		if (!(failure instanceof AssertionError)) {
			return false;
		}
		// the stack is copied on each call: asked only of an assertion
		StackTraceElement[] stack = failure.getStackTrace();
		return stack.length > 0 && stack[0].getClassName().startsWith("org.postgresql.")
				&& String.valueOf(failure.getMessage()).contains("getAutoCommit() should not throw");
	}

	/** 503: the database is unreachable. */
	static class DatabaseUnavailableException extends BaseServerResponseException {

		static final String MESSAGE = "The record store is unavailable at the moment; nothing was read or changed. "
				+ "Retry in " + RETRY_AFTER_SECONDS + " seconds";

		DatabaseUnavailableException() {
			super(503, MESSAGE);
		}

	}

}
