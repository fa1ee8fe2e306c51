package org.openepaccs.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Remembers access tokens already verified, so that a client sending the same token with
 * every request pays for the signature check and the parsing once rather than each time,
 * a cost that is large beside a read by id.
 * <p>
 * A remembered token is used only until it expires (with the configured clock skew) and
 * at most {@link #LONGEST} after it was verified, so that a key the issuer withdraws
 * stops being trusted within that time; after that it is verified again, and a token that
 * is no longer valid gets the verifier's own error.
 */
final class VerifiedTokens implements JwtDecoder {

	static final Duration LONGEST = Duration.ofMinutes(5);

	/** Enough for every client of a busy region; beyond it, start again. */
	private static final int MOST = 10_000;

	private final JwtDecoder verifier;

	private final Duration clockSkew;

	private final Clock clock;

	private final Map<String, Verified> verified = new ConcurrentHashMap<>();

	VerifiedTokens(JwtDecoder verifier, Duration clockSkew, Clock clock) {
		this.verifier = verifier;
		this.clockSkew = clockSkew;
		this.clock = clock;
	}

	@Override
	public Jwt decode(String token) throws JwtException {
		Instant now = this.clock.instant();
		Verified known = this.verified.get(token);
		if (known != null && now.isBefore(known.usableUntil()) && (known.jwt().getNotBefore() == null
				|| !now.isBefore(known.jwt().getNotBefore().minus(this.clockSkew)))) {
			return known.jwt();
		}
		this.verified.remove(token);
		Jwt jwt = this.verifier.decode(token);
		if (this.verified.size() >= MOST) {
			this.verified.clear();
		}
		Instant expiry = jwt.getExpiresAt().plus(this.clockSkew);
		Instant latest = now.plus(LONGEST);
		this.verified.put(token, new Verified(jwt, expiry.isBefore(latest) ? expiry : latest));
		return jwt;
	}

	private record Verified(Jwt jwt, Instant usableUntil) {

	}

}
