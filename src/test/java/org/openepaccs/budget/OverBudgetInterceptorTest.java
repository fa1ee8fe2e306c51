package org.openepaccs.budget;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OverBudgetInterceptorTest {

	@Test
	void aStatementCancelledForItsBudgetIsRecognisedWhereverItIsWrapped() {
		RuntimeException closing = new RuntimeException("rollback failed");
		closing.addSuppressed(new IllegalStateException(new SQLException("canceling statement", "57014")));

		assertThat(OverBudgetInterceptor.wasCancelled(new RuntimeException(closing))).isTrue();
		assertThat(OverBudgetInterceptor.wasCancelled(new RuntimeException(new SQLException("dup", "23505"))))
			.isFalse();
	}

}
