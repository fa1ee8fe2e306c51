package org.openepaccs.common;

import java.net.URI;

import org.springframework.core.env.Environment;

/**
 * The Content-Security-Policy of this server's browser apps (the viewer, the dashboard):
 * only their own scripts, styles and connections, no inline script or style, never in a
 * frame. The one other origin they may connect to is an external issuer's token endpoint
 * (Keycloak, or an authorization server in front of NHS CIS2), where the sign-in's code
 * is exchanged for a token; with the embedded issuer there is none.
 */
public final class BrowserAppPolicy {

	private BrowserAppPolicy() {
	}

	/** The policy, with {@code imageSources} as the apps' images may come from. */
	public static String of(Environment environment, String imageSources) {
		return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + imageSources + "; connect-src "
				+ connectSources(environment)
				+ "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
	}

	static String connectSources(Environment environment) {
		boolean embedded = environment.getProperty("epaccs.security.embedded-issuer.enabled", Boolean.class, false);
		String tokenEndpoint = environment.getProperty("epaccs.security.token-endpoint", "");
		if (embedded || tokenEndpoint.isBlank()) {
			return "'self'";
		}
		URI token = URI.create(tokenEndpoint.trim());
		if (token.getScheme() == null || token.getRawAuthority() == null) {
			throw new IllegalStateException(
					"epaccs.security.token-endpoint must be an absolute https:// (or, on this machine, http://) URL");
		}
		return "'self' " + token.getScheme() + "://" + token.getRawAuthority();
	}

}
