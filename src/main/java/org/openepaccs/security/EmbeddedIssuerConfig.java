package org.openepaccs.security;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
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
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.web.authentication.JwtClientAssertionAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.HeaderWriterFilter;

/**
 * The embedded dev/demo issuer, on only in the {@code demo} profile and only on a
 * loopback address ({@link DemoIssuerOnLoopback}): Spring Authorization Server issuing
 * {@code client_credentials} access tokens (RFC 9068) to the demo clients at
 * {@code /oauth2/token}, which authenticate with a secret or with a signed client
 * assertion ({@code private_key_jwt}, {@link ClientAssertions}), signed with an RSA key
 * pair generated at every start-up (so no key is ever in the repository, and tokens do
 * not survive a restart). Its public key is at {@code /oauth2/jwks}, and its issuer is
 * the one {@link IssuerAddress} names.
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
		if (environment.containsProperty("epaccs.security.embedded-issuer.issuer")) {
			// an issuer set here once named the tokens' iss; ignoring it would hand out
			// tokens naming another issuer than the one the deployer wrote down
			throw new IllegalStateException("epaccs.security.embedded-issuer.issuer is no longer read: the embedded "
					+ "issuer is the public base URL (epaccs.fhir.server-address without its /fhir) or, without one, "
					+ "http://localhost:<port>; remove the setting, and set epaccs.fhir.server-address if clients "
					+ "reach the server at another address");
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
	SecurityFilterChain embeddedIssuerFilterChain(HttpSecurity http, IssuerAddress address,
			AuthorizationServerSettings settings, AccessProperties properties) throws Exception {
		OAuth2AuthorizationServerConfigurer issuer = OAuth2AuthorizationServerConfigurer.authorizationServer();
		ClientAssertions assertions = new ClientAssertions(address, properties.clockSkew(), Clock.systemUTC());
		issuer.clientAuthentication((clients) -> clients
			.authenticationConverters((converters) -> converters
				.replaceAll((converter) -> (converter instanceof JwtClientAssertionAuthenticationConverter)
						? new ClientIdFromAssertion(converter) : converter))
			.authenticationProviders((providers) -> providers.forEach((provider) -> {
				if (provider instanceof JwtClientAssertionAuthenticationProvider jwt) {
					jwt.setJwtDecoderFactory(assertions);
				}
			})));
		http.securityMatcher(issuer.getEndpointsMatcher())
			.with(issuer, Customizer.withDefaults())
			// after Spring Authorization Server's own context filter (just after
			// SecurityContextHolderFilter), before every endpoint
			.addFilterBefore(new OneIssuerFilter(address, settings), HeaderWriterFilter.class)
			.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf((csrf) -> csrf.ignoringRequestMatchers(issuer.getEndpointsMatcher()));
		return http.build();
	}

	/** No issuer here: {@link OneIssuerFilter} names it once the server listens. */
	@Bean
	AuthorizationServerSettings authorizationServerSettings() {
		return AuthorizationServerSettings.builder().build();
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
			AccessProperties.DemoClient demo = entry.getValue();
			RegisteredClient.Builder client = RegisteredClient.withId(entry.getKey())
				.clientId(entry.getKey())
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.scopes((scopes) -> scopes.addAll(demo.scopes()))
				.tokenSettings(tokens);
			if (demo.jwkSetUrl() != null) {
				// SMART Backend Services: RS384 client assertions
				client.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
					.clientSettings(ClientSettings.builder()
						.jwkSetUrl(demo.jwkSetUrl().toString())
						.tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.RS384)
						.build());
			}
			else {
				client.clientSecret(encoder.encode(demo.secret()))
					.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
					.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST);
			}
			clients.add(client.build());
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
	 * Makes the access tokens RFC 9068 ones ({@code typ: at+jwt}, with {@code client_id}
	 * and {@code jti} beside the {@code iss}, {@code sub}, {@code exp} and {@code iat}
	 * every token has), and puts the audience, role and organisation of the demo client
	 * into them, under the claim names the resource server reads.
	 */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> demoClientClaims(AccessProperties properties) {
		return (context) -> {
			if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				return;
			}
			String clientId = context.getRegisteredClient().getClientId();
			AccessProperties.DemoClient client = properties.embeddedIssuer().clients().get(clientId);
			context.getJwsHeader().type("at+jwt");
			context.getClaims()
				.claims((claims) -> claims.putIfAbsent(JwtClaimNames.JTI, UUID.randomUUID().toString()))
				.claim("client_id", clientId)
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
