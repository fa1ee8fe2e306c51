package org.openepaccs.budget;

import java.lang.reflect.InvocationTargetException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
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
	void otherFailuresAreNotOutages() {
		assertThat(unreachable(new NullPointerException())).isFalse();
		assertThat(unreachable(new RuntimeException(new SQLException("duplicate key", "23505")))).isFalse();
	}

	private static boolean unreachable(Throwable failure) {
		return DatabaseUnavailableInterceptor.isDatabaseUnreachable(failure);
	}

}
