package org.openepaccs.security;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecoderOnFirstUseTest {

	@Test
	void anUnreachableIssuerRefusesTheTokenAndTheNextTokenTriesAgain() {
		AtomicInteger builds = new AtomicInteger();
		Jwt jwt = Jwt.withTokenValue("t").header("alg", "RS256").claim("sub", "u").issuedAt(Instant.now()).build();
		DecoderOnFirstUse decoder = new DecoderOnFirstUse(() -> {
			if (builds.incrementAndGet() == 1) {
				throw new IllegalArgumentException("Unable to resolve the Configuration with the provided Issuer");
			}
			return (token) -> jwt;
		});

		assertThatThrownBy(() -> decoder.decode("t")).isInstanceOf(BadJwtException.class)
			.hasMessageContaining("the token issuer's configuration could not be read");
		assertThat(decoder.decode("t")).isSameAs(jwt);
		assertThat(decoder.decode("t")).isSameAs(jwt);
		assertThat(builds).hasValue(2);
	}

	@Test
	void nothingIsBuiltBeforeTheFirstToken() {
		AtomicInteger builds = new AtomicInteger();
		new DecoderOnFirstUse(() -> {
			builds.incrementAndGet();
			throw new IllegalStateException("not reachable");
		});

		assertThat(builds).hasValue(0);
	}

}
