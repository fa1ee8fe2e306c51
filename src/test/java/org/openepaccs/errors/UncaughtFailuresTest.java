package org.openepaccs.errors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** A thread that dies of a failure nobody caught is logged, not printed bare. */
@ExtendWith(OutputCaptureExtension.class)
class UncaughtFailuresTest {

	@Test
	void aThreadEndedByAFailureIsLoggedAtErrorAndTheDefaultIsBackAfterwards(CapturedOutput output) throws Exception {
		Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
		UncaughtFailures failures = new UncaughtFailures();
		try {
			Thread dying = new Thread(() -> {
				throw new IllegalStateException("nobody caught this");
			}, "worker-7");
			dying.start();
			dying.join();
		}
		finally {
			failures.destroy();
		}
		assertThat(output.getAll())
			.contains("ERROR", "Thread worker-7 ended on a failure nothing handled",
					"java.lang.IllegalStateException: nobody caught this")
			.doesNotContain("Exception in thread \"worker-7\"");
		assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(before);
	}

}
