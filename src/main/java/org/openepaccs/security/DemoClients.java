package org.openepaccs.security;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The embedded issuer's demo clients, as Spring Authorization Server registers them. They
 * are built on first use rather than at start-up because an app's redirect URI on the
 * server's own address ({@code /viewer/}) is known only once the server listens
 * ({@link IssuerAddress}).
 * <p>
 * Every app must use S256 PKCE and ask the user's consent; only a confidential app gets a
 * refresh token (Spring Authorization Server never gives one to a public client), and
 * refresh tokens are not reused: each refresh gives a new one.
 */
final class DemoClients implements RegisteredClientRepository {

	private final AccessProperties properties;

	private final IssuerAddress address;

	private volatile Map<String, RegisteredClient> clients;

	DemoClients(AccessProperties properties, IssuerAddress address) {
		this.properties = properties;
		this.address = address;
	}

	@Override
	public void save(RegisteredClient registeredClient) {
		throw new UnsupportedOperationException("the demo clients are configuration");
	}

	@Override
	public RegisteredClient findById(String id) {
		return clients().get(id);
	}

	@Override
	public RegisteredClient findByClientId(String clientId) {
		return clients().get(clientId);
	}

	private Map<String, RegisteredClient> clients() {
		Map<String, RegisteredClient> built = this.clients;
		if (built == null) {
			built = build();
			this.clients = built;
		}
		return built;
	}

	private Map<String, RegisteredClient> build() {
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		TokenSettings tokens = TokenSettings.builder()
			.accessTokenTimeToLive(this.properties.embeddedIssuer().tokenLifetime())
			.reuseRefreshTokens(false)
			.build();
		Map<String, RegisteredClient> clients = new LinkedHashMap<>();
		this.properties.embeddedIssuer().clients().forEach((clientId, demo) -> {
			RegisteredClient.Builder client = RegisteredClient.withId(clientId)
				.clientId(clientId)
				.scopes((scopes) -> scopes.addAll(demo.scopes()))
				.tokenSettings(tokens);
			ClientSettings.Builder settings = ClientSettings.builder();
			if (demo.isSystemClient()) {
				client.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS);
			}
			if (demo.isApp()) {
				client.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE);
				demo.redirectUris().forEach((uri) -> client.redirectUri(resolve(uri)));
				settings.requireProofKey(true).requireAuthorizationConsent(true);
			}
			if (demo.publicClient()) {
				client.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
			}
			else if (demo.jwkSetUrl() != null) {
				// SMART Backend Services: RS384 client assertions
				client.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT);
				settings.jwkSetUrl(demo.jwkSetUrl().toString())
					.tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.RS384);
			}
			else {
				client.clientSecret(encoder.encode(demo.secret()))
					.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
					.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST);
				if (demo.isApp()) {
					client.authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN);
				}
			}
			clients.put(clientId, client.clientSettings(settings.build()).build());
		});
		return Map.copyOf(clients);
	}

	/** {@code /viewer/} → {@code <issuer>/viewer/}; anything else as configured. */
	private String resolve(String redirectUri) {
		return redirectUri.startsWith("/") ? this.address.issuer() + redirectUri : redirectUri;
	}

}
