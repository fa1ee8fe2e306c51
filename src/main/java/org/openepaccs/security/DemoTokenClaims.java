package org.openepaccs.security;

import java.util.List;
import java.util.UUID;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Makes the embedded issuer's access tokens RFC 9068 ones ({@code typ: at+jwt}, with
 * {@code client_id} and {@code jti} beside the {@code iss}, {@code sub}, {@code exp} and
 * {@code iat} every token has), for this server's audience, with the caller's role and
 * organisation under the claim names the resource server reads: a system client's own,
 * or, for an app, the signed-in demo user's ({@code sub} is then the user). A launched
 * app's token carries the patient in context under the patient claim, which confines its
 * {@code patient/} scopes to that patient's record ({@link AccessPolicy}); a refreshed
 * token keeps the patient of the token it replaces.
 */
final class DemoTokenClaims implements OAuth2TokenCustomizer<JwtEncodingContext> {

	private final AccessProperties properties;

	private final LaunchContexts launches;

	DemoTokenClaims(AccessProperties properties, LaunchContexts launches) {
		this.properties = properties;
		this.launches = launches;
	}

	@Override
	public void customize(JwtEncodingContext context) {
		if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
			return;
		}
		String clientId = context.getRegisteredClient().getClientId();
		AccessProperties.Claims claims = this.properties.claims();
		context.getJwsHeader().type("at+jwt");
		context.getClaims()
			.claims((all) -> all.putIfAbsent(JwtClaimNames.JTI, UUID.randomUUID().toString()))
			.claim("client_id", clientId)
			.audience(List.of(this.properties.audience()))
			.claim("scope", String.join(" ", context.getAuthorizedScopes().isEmpty()
					? context.getRegisteredClient().getScopes() : context.getAuthorizedScopes()));
		AuthorizationGrantType grant = context.getAuthorizationGrantType();
		if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(grant)) {
			AccessProperties.DemoClient client = this.properties.embeddedIssuer().clients().get(clientId);
			context.getClaims()
				.claim(claims.role(), client.role().claimValue())
				.claim(claims.organisation(), client.organisation());
			return;
		}
		String userName = context.getPrincipal().getName();
		AccessProperties.DemoUser user = this.properties.embeddedIssuer().users().get(userName);
		if (user == null) {
			throw new OAuth2AuthenticationException(
					new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, "the user is no longer a demo user", null));
		}
		context.getClaims()
			.subject(userName)
			.claim(claims.role(), user.role().claimValue())
			.claim(claims.organisation(), user.organisation());
		String patient = patientInContext(context, grant, clientId, userName);
		if (patient != null) {
			context.getClaims().claim(claims.patient(), patient);
		}
	}

	private String patientInContext(JwtEncodingContext context, AuthorizationGrantType grant, String clientId,
			String userName) {
		OAuth2Authorization authorization = context.getAuthorization();
		if (authorization == null) {
			return null;
		}
		if (AuthorizationGrantType.REFRESH_TOKEN.equals(grant)) {
			OAuth2Authorization.Token<?> previous = authorization.getAccessToken();
			Object patient = (previous != null && previous.getClaims() != null)
					? previous.getClaims().get(this.properties.claims().patient()) : null;
			return (patient != null) ? patient.toString() : null;
		}
		OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
		Object launch = (request != null) ? request.getAdditionalParameters().get(LaunchParameterCheck.LAUNCH) : null;
		if (launch == null) {
			return null;
		}
		return this.launches.patientFor(launch.toString(), clientId, userName)
			.orElseThrow(() -> new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT,
					"the launch context of this authorization code has expired or was already used", null)));
	}

}
