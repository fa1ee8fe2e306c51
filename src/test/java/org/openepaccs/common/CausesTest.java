package org.openepaccs.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class CausesTest {

	@Test
	void findsTheFirstMatchingCauseInOrder() {
		SQLException inner = new SQLException("inner", "08006");
		SQLException outer = new SQLException("outer", "57014", inner);
		RuntimeException failure = new RuntimeException("wrapped", new IllegalStateException(outer));

		assertThat(Causes.first(failure, SQLException.class::isInstance)).containsSame(outer);
		assertThat(Causes.any(failure, (cause) -> "08006".equals(sqlState(cause)))).isTrue();
		assertThat(Causes.first(failure, IOException.class::isInstance)).isEmpty();
		assertThat(Causes.any(null, (cause) -> true)).isFalse();
	}

	@Test
	void aCyclicChainOfCausesEnds() {
		RuntimeException first = new RuntimeException("first");
		RuntimeException second = new RuntimeException("second", first);
		first.initCause(second);

		boolean found = assertTimeoutPreemptively(Duration.ofSeconds(10),
				() -> Causes.any(first, IOException.class::isInstance));

		assertThat(found).isFalse();
		assertThat(Causes.first(first, (cause) -> "second".equals(cause.getMessage()))).containsSame(second);
	}

	@Test
	void exceptionsThatSuppressEachOtherEnd() {
		RuntimeException first = new RuntimeException("first");
		RuntimeException second = new RuntimeException("second");
		first.addSuppressed(second);
		second.addSuppressed(first);

		boolean found = assertTimeoutPreemptively(Duration.ofSeconds(10),
				() -> Causes.anyWithSuppressed(first, IOException.class::isInstance));

		assertThat(found).isFalse();
	}

	@Test
	void suppressedExceptionsAndTheirCausesAreLookedAtOnlyWhenAskedFor() {
		RuntimeException failure = new RuntimeException("closing failed too");
		failure.addSuppressed(new UncheckedIOException(new IOException("connection reset")));

		assertThat(Causes.anyWithSuppressed(failure, IOException.class::isInstance)).isTrue();
		assertThat(Causes.any(failure, IOException.class::isInstance)).isFalse();
	}

	@Test
	void aChainDeeperThanAnyLibraryNestsIsLookedAtOnlyAsFarAsTheBound() {
		Throwable atTheBound = new IOException("at the bound");
		Throwable beyond = new IOException("beyond");
		Throwable reachable = atTheBound;
		for (int i = 1; i < Causes.MOST_LOOKED_AT; i++) {
			reachable = new RuntimeException("level " + i, reachable);
		}
		Throwable tooDeep = beyond;
		for (int i = 0; i < Causes.MOST_LOOKED_AT; i++) {
			tooDeep = new RuntimeException("level " + i, tooDeep);
		}

		assertThat(Causes.first(reachable, IOException.class::isInstance)).containsSame(atTheBound);
		assertThat(Causes.first(tooDeep, IOException.class::isInstance)).isEmpty();
	}

	private static String sqlState(Throwable cause) {
		return (cause instanceof SQLException sql) ? sql.getSQLState() : null;
	}

}
