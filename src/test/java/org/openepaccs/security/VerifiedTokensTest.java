package org.openepaccs.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiedTokensTest {

	private static final Instant ISSUED = Instant.parse("2026-11-23T10:00:00Z");

	private final AtomicInteger verifications = new AtomicInteger();

	private Instant expiry = ISSUED.plus(Duration.ofHours(1));

	private boolean refuse;

	private final JwtDecoder verifier = (token) -> {
		this.verifications.incrementAndGet();
		if (this.refuse) {
			throw new BadJwtException("An error occurred while attempting to decode the Jwt: Signed JWT rejected");
		}
		return Jwt.withTokenValue(token)
			.header("alg", "RS256")
			.subject("gp-system")
			.issuedAt(ISSUED)
			.expiresAt(this.expiry)
			.build();
	};

	@Test
	void theSameTokenIsVerifiedOnceWhileItIsValid() {
		VerifiedTokens tokens = new VerifiedTokens(this.verifier, Duration.ofSeconds(60), at(ISSUED));

		assertThat(tokens.decode("a").getSubject()).isEqualTo("gp-system");
		tokens.decode("a");
		tokens.decode("b");

		assertThat(this.verifications).hasValue(2);
	}

	@Test
	void anExpiredTokenIsVerifiedAgainAndGetsTheVerifiersError() {
		this.expiry = ISSUED.plus(Duration.ofMinutes(2));
		MutableClock clock = new MutableClock(ISSUED);
		VerifiedTokens tokens = new VerifiedTokens(this.verifier, Duration.ofSeconds(60), clock);
		tokens.decode("a");

		clock.now = ISSUED.plus(Duration.ofMinutes(2)).plusSeconds(59);
		tokens.decode("a");
		assertThat(this.verifications).as("still within the clock skew").hasValue(1);

		clock.now = ISSUED.plus(Duration.ofMinutes(3)).plusSeconds(1);
		this.refuse = true;
		assertThatThrownBy(() -> tokens.decode("a")).isInstanceOf(BadJwtException.class);
		assertThat(this.verifications).hasValue(2);
	}

	@Test
	void aLongLivedTokenIsVerifiedAgainAfterFiveMinutesSoAWithdrawnKeyStopsWorking() {
		MutableClock clock = new MutableClock(ISSUED);
		VerifiedTokens tokens = new VerifiedTokens(this.verifier, Duration.ofSeconds(60), clock);
		tokens.decode("a");

		clock.now = ISSUED.plus(VerifiedTokens.LONGEST).plusSeconds(1);
		this.refuse = true;

		assertThatThrownBy(() -> tokens.decode("a")).isInstanceOf(BadJwtException.class);
	}

	@Test
	void aRefusedTokenIsNotRemembered() {
		VerifiedTokens tokens = new VerifiedTokens(this.verifier, Duration.ofSeconds(60), at(ISSUED));
		this.refuse = true;
		assertThatThrownBy(() -> tokens.decode("a")).isInstanceOf(BadJwtException.class);
		assertThatThrownBy(() -> tokens.decode("a")).isInstanceOf(BadJwtException.class);

		assertThat(this.verifications).hasValue(2);
	}

	private static Clock at(Instant instant) {
		return Clock.fixed(instant, ZoneOffset.UTC);
	}

	private static final class MutableClock extends Clock {

		Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
