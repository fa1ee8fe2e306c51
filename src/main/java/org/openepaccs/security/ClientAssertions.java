package org.openepaccs.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionDecoderFactory;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Checks the client assertions of {@code private_key_jwt} clients as SMART Backend
 * Services require: signed by a key in the client's JWKS with the client's algorithm
 * (Spring Authorization Server's decoder), {@code iss} and {@code sub} the client,
 * {@code aud} this server's token endpoint, {@code exp} no more than five minutes ahead,
 * and a {@code jti} never seen before from that client. A used {@code jti} is remembered
 * until its assertion expires, after which the assertion is refused anyway; only
 * assertions that passed every other check are remembered, so a forged one cannot use up
 * a client's {@code jti}.
 */
final class ClientAssertions implements JwtDecoderFactory<RegisteredClient> {

	/** The longest an assertion may live, SMART Backend Services' limit. */
	static final Duration LONGEST = Duration.ofMinutes(5);

	private static final String ERROR_URI = "https://hl7.org/fhir/smart-app-launch/backend-services.html";

	/** Beyond this many remembered, the expired ones are forgotten. */
	private static final int TIDY_ABOVE = 1_000;

	private final JwtClientAssertionDecoderFactory decoders = new JwtClientAssertionDecoderFactory();

	private final IssuerAddress address;

	private final Duration clockSkew;

	private final Clock clock;

	private final Map<String, Instant> used = new ConcurrentHashMap<>();

	ClientAssertions(IssuerAddress address, Duration clockSkew, Clock clock) {
		this.address = address;
		this.clockSkew = clockSkew;
		this.clock = clock;
		this.decoders.setJwtValidatorFactory(this::validator);
	}

	@Override
	public JwtDecoder createDecoder(RegisteredClient client) {
		JwtDecoder decoder = this.decoders.createDecoder(client);
		return (token) -> {
			Jwt assertion = decoder.decode(token);
			firstUse(client.getClientId(), assertion);
			return assertion;
		};
	}

	private OAuth2TokenValidator<Jwt> validator(RegisteredClient client) {
		String clientId = client.getClientId();
		return new DelegatingOAuth2TokenValidator<>(new JwtClaimValidator<String>(JwtClaimNames.ISS, clientId::equals),
				new JwtClaimValidator<String>(JwtClaimNames.SUB, clientId::equals),
				new JwtTimestampValidator(this.clockSkew), this::forTokenEndpoint, this::shortLived, this::identified);
	}

	private OAuth2TokenValidatorResult forTokenEndpoint(Jwt assertion) {
		String tokenEndpoint = this.address.tokenEndpoint();
		return (assertion.getAudience() != null && assertion.getAudience().contains(tokenEndpoint))
				? OAuth2TokenValidatorResult.success()
				: failure("the client assertion's aud must be this token endpoint, " + tokenEndpoint);
	}

	private OAuth2TokenValidatorResult shortLived(Jwt assertion) {
		Instant latest = this.clock.instant().plus(LONGEST).plus(this.clockSkew);
		return (assertion.getExpiresAt() != null && !assertion.getExpiresAt().isAfter(latest))
				? OAuth2TokenValidatorResult.success()
				: failure("the client assertion's exp must be at most five minutes ahead");
	}

	private OAuth2TokenValidatorResult identified(Jwt assertion) {
		return (assertion.getId() != null && !assertion.getId().isBlank()) ? OAuth2TokenValidatorResult.success()
				: failure("the client assertion has no jti");
	}

	private void firstUse(String clientId, Jwt assertion) {
		Instant now = this.clock.instant();
		if (this.used.size() > TIDY_ABOVE) {
			this.used.values().removeIf(now::isAfter);
		}
		Instant forgetAfter = assertion.getExpiresAt().plus(this.clockSkew);
		Instant earlier = this.used.putIfAbsent(clientId + '\u0000' + assertion.getId(), forgetAfter);
		if (earlier != null && !now.isAfter(earlier)) {
			throw new BadJwtException("the client assertion's jti was used before: sign a new assertion per request");
		}
		if (earlier != null) {
			this.used.put(clientId + '\u0000' + assertion.getId(), forgetAfter);
		}
	}

	private static OAuth2TokenValidatorResult failure(String description) {
		return OAuth2TokenValidatorResult
			.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, description, ERROR_URI));
	}

}
