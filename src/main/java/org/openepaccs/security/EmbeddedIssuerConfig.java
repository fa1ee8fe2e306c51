package org.openepaccs.security;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The embedded dev/demo issuer, on only in the {@code demo} profile and only on a
 * loopback address ({@link DemoIssuerOnLoopback}): Spring Authorization Server issuing
 * {@code client_credentials} access tokens to the demo clients at {@code /oauth2/token},
 * signed with an RSA key pair generated at every start-up (so no key is ever in the
 * repository, and tokens do not survive a restart). Its public key is at
 * {@code /oauth2/jwks}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "epaccs.security.embedded-issuer.enabled", havingValue = "true")
class EmbeddedIssuerConfig {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedIssuerConfig.class);

	EmbeddedIssuerConfig(AccessProperties properties, Environment environment,
			@Value("${server.address:}") String serverAddress,
			@Value("${epaccs.fhir.server-address:}") String publicBaseUrl) {
		if (!environment.matchesProfiles("demo")) {
			throw new IllegalStateException("epaccs.security.embedded-issuer.enabled=true, but the embedded issuer "
					+ "and its dev-only secrets run only in the demo profile (--spring.profiles.active=demo); "
					+ "without it, set epaccs.security.issuer-uri");
		}
		DemoIssuerOnLoopback.check(properties.embeddedIssuer(), serverAddress, publicBaseUrl);
	}

	@Bean
	EmbeddedIssuerKeys embeddedIssuerKeys() throws NoSuchAlgorithmException {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		KeyPair pair = generator.generateKeyPair();
		return new EmbeddedIssuerKeys((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate(),
				UUID.randomUUID().toString());
	}

	@Bean
	@Order(1)
	SecurityFilterChain embeddedIssuerFilterChain(HttpSecurity http) throws Exception {
		OAuth2AuthorizationServerConfigurer issuer = OAuth2AuthorizationServerConfigurer.authorizationServer();
		http.securityMatcher(issuer.getEndpointsMatcher())
			.with(issuer, Customizer.withDefaults())
			.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf((csrf) -> csrf.ignoringRequestMatchers(issuer.getEndpointsMatcher()));
		return http.build();
	}

	@Bean
	AuthorizationServerSettings authorizationServerSettings(AccessProperties properties) {
		return AuthorizationServerSettings.builder().issuer(properties.embeddedIssuer().issuer().toString()).build();
	}

	@Bean
	JWKSource<SecurityContext> embeddedIssuerJwkSource(EmbeddedIssuerKeys keys) {
		RSAKey key = new RSAKey.Builder(keys.publicKey()).privateKey(keys.privateKey()).keyID(keys.keyId()).build();
		return new ImmutableJWKSet<>(new JWKSet(key));
	}

	@Bean
	RegisteredClientRepository demoClients(AccessProperties properties) {
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		TokenSettings tokens = TokenSettings.builder()
			.accessTokenTimeToLive(properties.embeddedIssuer().tokenLifetime())
			.build();
		List<RegisteredClient> clients = new ArrayList<>();
		for (Map.Entry<String, AccessProperties.DemoClient> entry : properties.embeddedIssuer().clients().entrySet()) {
			clients.add(RegisteredClient.withId(entry.getKey())
				.clientId(entry.getKey())
				.clientSecret(encoder.encode(entry.getValue().secret()))
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.scopes((scopes) -> scopes.addAll(entry.getValue().scopes()))
				.tokenSettings(tokens)
				.build());
		}
		if (clients.isEmpty()) {
			throw new IllegalStateException(
					"epaccs.security.embedded-issuer.enabled is true but no demo clients are configured "
							+ "(epaccs.security.embedded-issuer.clients)");
		}
		log.warn("The embedded dev/demo token issuer is ON with {} demo clients and dev-only secrets: "
				+ "never use it in production (set epaccs.security.issuer-uri instead)", clients.size());
		return new InMemoryRegisteredClientRepository(clients);
	}

	/**
	 * Puts the audience, role and organisation of the demo client into its access tokens,
	 * under the claim names the resource server reads.
	 */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> demoClientClaims(AccessProperties properties) {
		return (context) -> {
			if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				return;
			}
			String clientId = context.getRegisteredClient().getClientId();
			AccessProperties.DemoClient client = properties.embeddedIssuer().clients().get(clientId);
			context.getClaims()
				.audience(List.of(properties.audience()))
				.claim(properties.claims().role(), client.role().claimValue())
				.claim(properties.claims().organisation(), client.organisation())
				.claim("scope", String.join(" ", context.getAuthorizedScopes().isEmpty()
						? context.getRegisteredClient().getScopes() : context.getAuthorizedScopes()));
		};
	}

	/** The embedded issuer's signing key pair, generated at start-up. */
	record EmbeddedIssuerKeys(RSAPublicKey publicKey, RSAPrivateKey privateKey, String keyId) {

		@Override
		public String toString() {
			return "EmbeddedIssuerKeys[" + this.keyId + "]"; // never the key itself
		}

	}

}
