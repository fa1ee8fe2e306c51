package org.openepaccs.security;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContext;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Tells Spring Authorization Server, for each request to the embedded issuer, that the
 * issuer is this server's one issuer ({@link IssuerAddress}). Without it, it derives an
 * issuer from the host and port each request came in on, and a token fetched through
 * {@code 127.0.0.1} would then name another issuer than one fetched through
 * {@code localhost} or through a reverse proxy. It cannot be configured instead: with a
 * random port the address is known only once the server listens, after the settings are
 * built. It runs after Spring Authorization Server's own context filter, which it
 * overrides.
 */
final class OneIssuerFilter extends OncePerRequestFilter {

	private final IssuerAddress address;

	private final AuthorizationServerSettings settings;

	OneIssuerFilter(IssuerAddress address, AuthorizationServerSettings settings) {
		this.address = address;
		this.settings = settings;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		AuthorizationServerContext derived = AuthorizationServerContextHolder.getContext();
		String issuer = this.address.issuer();
		AuthorizationServerContextHolder.setContext(new AuthorizationServerContext() {

			@Override
			public String getIssuer() {
				return issuer;
			}

			@Override
			public AuthorizationServerSettings getAuthorizationServerSettings() {
				return OneIssuerFilter.this.settings;
			}

		});
		try {
			chain.doFilter(request, response);
		}
		finally {
			if (derived != null) {
				AuthorizationServerContextHolder.setContext(derived);
			}
			else {
				AuthorizationServerContextHolder.resetContext();
			}
		}
	}

}
