package org.openepaccs.testsupport;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asserts that a configuration value stops start-up with a message a deployer can act on.
 */
public final class StartupFailures {

	private StartupFailures() {
	}

	public static void assertStartupFails(ApplicationContextRunner runner, String property, String... expected) {
		runner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains(expected);
		});
	}

	/** Every message in the cause chain, one per line. */
	public static String messages(Throwable failure) {
		StringBuilder all = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			all.append(t.getMessage()).append('\n');
		}
		return all.toString();
	}

}
