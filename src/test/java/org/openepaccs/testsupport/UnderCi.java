package org.openepaccs.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a test needs from the machine (a browser, Node, a newer JDK, Keycloak): under CI
 * ({@code CI=true}) the test must run, so what it needs missing is a failure there, and a
 * skip with the reason elsewhere.
 */
public final class UnderCi {

	private UnderCi() {
	}

	public static void require(boolean condition, String missing) {
		if (!condition && "true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new IllegalStateException("CI=true: " + missing);
		}
		assumeTrue(condition, missing);
	}

}
