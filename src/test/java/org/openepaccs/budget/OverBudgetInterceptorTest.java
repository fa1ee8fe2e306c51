package org.openepaccs.budget;

import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class OverBudgetInterceptorTest {

	@Test
	void aStatementCancelledForItsBudgetIsRecognisedWhereverItIsWrapped() {
		RuntimeException closing = new RuntimeException("rollback failed");
		closing.addSuppressed(new IllegalStateException(new SQLException("canceling statement", "57014")));

		assertThat(OverBudgetInterceptor.wasCancelled(new RuntimeException(closing))).isTrue();
		assertThat(OverBudgetInterceptor.wasCancelled(new RuntimeException(new SQLException("dup", "23505"))))
			.isFalse();
	}

	@Test
	void failuresThatSuppressEachOtherAreAnsweredNotRecursedIntoForever() {
		// each suppressed failure was once looked into afresh, and two that suppress
		// each other overflowed the stack while the error answer was being made
		RuntimeException first = new RuntimeException("first");
		RuntimeException second = new RuntimeException("second");
		first.addSuppressed(second);
		second.addSuppressed(first);

		boolean cancelled = assertTimeoutPreemptively(Duration.ofSeconds(10),
				() -> OverBudgetInterceptor.wasCancelled(first));

		assertThat(cancelled).isFalse();
	}

}
