package org.openepaccs.budget;

import java.lang.reflect.InvocationTargetException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import org.junit.jupiter.api.Test;

import org.springframework.orm.jpa.JpaSystemException;
import org.springframework.transaction.CannotCreateTransactionException;

import static org.assertj.core.api.Assertions.assertThat;

/** The failures seen while PostgreSQL was cut off, and some that are not outages. */
class DatabaseUnavailableInterceptorTest {

	@Test
	void recognisesTheWaysAnOutageSurfaces() {
		assertThat(unreachable(new CannotCreateTransactionException("Could not open JPA EntityManager",
				new SQLTransientConnectionException("HikariPool-1 - Connection is not available"))))
			.isTrue();
		// a connection cut off in use: HAPI wraps the rollback failure of a pooled
		// connection
		assertThat(unreachable(new InternalErrorException("HAPI-0389",
				new InvocationTargetException(new JpaSystemException(
						new RuntimeException("Unable to rollback", new SQLException("Connection is closed")))))))
			.isTrue();
		assertThat(unreachable(new RuntimeException(new SQLException("terminating connection", "57P01")))).isTrue();
		assertThat(unreachable(new RuntimeException(new SocketException("Broken pipe")))).isTrue();
		RuntimeException withSuppressed = new RuntimeException("application exception");
		withSuppressed.addSuppressed(new SQLException("I/O error", "08006"));
		assertThat(unreachable(withSuppressed)).isTrue();
	}

	@Test
	void theDriversAssertionOnABatchWhoseConnectionWasClosedIsAnOutage() {
		// as a CI run's outage logged it: the batch of a search being recorded, its
		// connection ended by the database, thrown from the driver without a cause
		AssertionError closedUnderTheBatch = new AssertionError(
				"pgStatement.getConnection().getAutoCommit() should not throw");
		closedUnderTheBatch.setStackTrace(new StackTraceElement[] {
				new StackTraceElement("org.postgresql.jdbc.BatchResultHandler", "isAutoCommit",
						"BatchResultHandler.java", 115),
				new StackTraceElement("org.postgresql.jdbc.BatchResultHandler", "handleCompletion",
						"BatchResultHandler.java", 179) });
		AssertionError elsewhere = new AssertionError("getAutoCommit() should not throw");
		elsewhere.setStackTrace(new StackTraceElement[] {
				new StackTraceElement("org.openepaccs.SomeClass", "method", "SomeClass.java", 1) });

		assertThat(unreachable(closedUnderTheBatch)).isTrue();
		assertThat(unreachable(new RuntimeException("commit failed", closedUnderTheBatch))).isTrue();
		assertThat(unreachable(elsewhere)).as("the same words from outside the driver").isFalse();
		assertThat(unreachable(new AssertionError("expected 1 row"))).isFalse();
	}

	@Test
	void otherFailuresAreNotOutages() {
		assertThat(unreachable(new NullPointerException())).isFalse();
		assertThat(unreachable(new RuntimeException(new SQLException("duplicate key", "23505")))).isFalse();
	}

	@Test
	void failuresThatSuppressEachOtherAreLookedAtOnce() {
		RuntimeException first = new RuntimeException("first");
		RuntimeException second = new RuntimeException("second", new SQLException("duplicate key", "23505"));
		first.addSuppressed(second);
		second.addSuppressed(first);

		assertThat(unreachable(first)).isFalse();
		second.addSuppressed(new SQLException("I/O error", "08006"));
		assertThat(unreachable(first)).isTrue();
	}

	@Test
	void aSearchCutOffWhileHapiRecordsItIsUnavailableNotAConflict() {
		DatabaseUnavailableInterceptor interceptor = new DatabaseUnavailableInterceptor(reachability(true));
		// what HAPI hands the request when its search thread lost the database while
		// saving the search: a status and a message, no cause
		ResourceVersionConflictException cutOff = new ResourceVersionConflictException(
				"HAPI-0823: The operation has failed with a version constraint failure");

		BaseServerResponseException answer = interceptor.unavailable(request(RestOperationTypeEnum.SEARCH_TYPE),
				cutOff);

		assertThat(answer.getStatusCode()).isEqualTo(503);
		assertThat(answer.getResponseHeaders()).containsEntry("Retry-After", java.util.List.of("5"));
		assertThat(interceptor.unavailable(request(RestOperationTypeEnum.UPDATE), cutOff))
			.as("an update's conflict is the client's to resolve")
			.isNull();
	}

	@Test
	void aServerErrorWhileTheDatabaseIsAwayIsUnavailable() {
		InternalErrorException searchFailed = new InternalErrorException("HAPI-1163: Search failed");

		assertThat(new DatabaseUnavailableInterceptor(reachability(false))
			.unavailable(request(RestOperationTypeEnum.SEARCH_TYPE), searchFailed)
			.getStatusCode()).isEqualTo(503);
		assertThat(new DatabaseUnavailableInterceptor(reachability(true))
			.unavailable(request(RestOperationTypeEnum.SEARCH_TYPE), searchFailed)).isNull();
		assertThat(new DatabaseUnavailableInterceptor(reachability(false))
			.unavailable(request(RestOperationTypeEnum.CREATE), new InvalidRequestException("HAPI-0450")))
			.as("a client error stays one")
			.isNull();
	}

	private static DatabaseReachability reachability(boolean reachable) {
		DatabaseReachability reachability = new DatabaseReachability(() -> {
			if (!reachable) {
				throw new SQLTransientConnectionException("refused", "08001");
			}
			return org.mockito.Mockito.mock(java.sql.Connection.class);
		});
		reachability.check();
		return reachability;
	}

	private static RequestDetails request(RestOperationTypeEnum operation) {
		SystemRequestDetails request = new SystemRequestDetails();
		request.setRestOperationType(operation);
		return request;
	}

	private static boolean unreachable(Throwable failure) {
		return DatabaseUnavailableInterceptor.isDatabaseUnreachable(failure);
	}

}
