package org.openepaccs.security;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;

/**
 * Puts the SMART launch context into the token response: {@code patient}, the id of the
 * patient the access token's {@code patient} claim names, as SMART App Launch clients
 * read it from the response rather than from the token (which is opaque to them).
 */
final class PatientInTokenResponse implements Consumer<OAuth2AccessTokenAuthenticationContext> {

	private final OAuth2AuthorizationService authorizations;

	private final String patientClaim;

	PatientInTokenResponse(OAuth2AuthorizationService authorizations, String patientClaim) {
		this.authorizations = authorizations;
		this.patientClaim = patientClaim;
	}

	@Override
	public void accept(OAuth2AccessTokenAuthenticationContext context) {
		OAuth2AccessTokenAuthenticationToken issued = context.getAuthentication();
		String token = issued.getAccessToken().getTokenValue();
		OAuth2Authorization authorization = this.authorizations.findByToken(token, OAuth2TokenType.ACCESS_TOKEN);
		if (authorization == null || authorization.getAccessToken() == null
				|| authorization.getAccessToken().getClaims() == null) {
			return;
		}
		Object patient = authorization.getAccessToken().getClaims().get(this.patientClaim);
		if (patient != null) {
			Map<String, Object> parameters = new HashMap<>(issued.getAdditionalParameters());
			parameters.put("patient", patient.toString());
			context.getAccessTokenResponse().additionalParameters(parameters);
		}
	}

}
