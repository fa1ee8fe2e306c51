package org.openepaccs.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdTest {

	@Test
	void aCallersIdIsKeptWhenItIsSafeInALogLine() {
		assertThat(RequestId.fromHeaderOrNew("gp-system.batch_42")).isEqualTo("gp-system.batch_42");
	}

	@Test
	void anUnsafeShortOrMissingIdIsReplacedByARandomOne() {
		assertThat(RequestId.fromHeaderOrNew("x\n2026 INFO forged")).matches("[A-Za-z0-9]{16}");
		assertThat(RequestId.fromHeaderOrNew("short")).matches("[A-Za-z0-9]{16}");
		assertThat(RequestId.fromHeaderOrNew("a".repeat(65))).matches("[A-Za-z0-9]{16}");
		assertThat(RequestId.fromHeaderOrNew(null)).matches("[A-Za-z0-9]{16}")
			.isNotEqualTo(RequestId.fromHeaderOrNew(null));
	}

}
