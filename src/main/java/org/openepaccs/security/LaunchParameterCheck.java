package org.openepaccs.security;

import java.util.Optional;
import java.util.function.Consumer;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;

/**
 * Checks an authorization request's SMART launch context, after its redirect URI and
 * scopes: a {@code launch} id must be one this issuer handed out, unexpired and unused,
 * and the {@code launch} scope (EHR launch) needs one. Before the user has signed in the
 * id is only looked at; once they have, it is redeemed for this client and user, so it
 * cannot start a second authorization. A refusal goes back to the app's redirect URI as
 * {@code error=invalid_request} with the reason.
 */
final class LaunchParameterCheck implements Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> {

	static final String LAUNCH = "launch";

	private final LaunchContexts launches;

	LaunchParameterCheck(LaunchContexts launches) {
		this.launches = launches;
	}

	@Override
	public void accept(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
		OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
		Object launch = request.getAdditionalParameters().get(LAUNCH);
		if (launch == null || launch.toString().isBlank()) {
			if (request.getScopes().contains(LAUNCH)) {
				throw refusal("the launch scope asks for the EHR's launch context: pass the launch parameter the EHR "
						+ "gave the app", request);
			}
			return;
		}
		Authentication user = (Authentication) request.getPrincipal();
		boolean signedIn = user != null && user.isAuthenticated() && !(user instanceof AnonymousAuthenticationToken);
		Optional<LaunchContexts.Problem> problem = signedIn
				? this.launches.redeem(launch.toString(), context.getRegisteredClient().getClientId(), user.getName())
				: this.launches.check(launch.toString(), null);
		problem.ifPresent((why) -> {
			throw refusal(why.description(), request);
		});
	}

	private static OAuth2AuthorizationCodeRequestAuthenticationException refusal(String description,
			OAuth2AuthorizationCodeRequestAuthenticationToken request) {
		return new OAuth2AuthorizationCodeRequestAuthenticationException(
				new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, description, null), request);
	}

}
