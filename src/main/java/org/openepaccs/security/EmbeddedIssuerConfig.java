package org.openepaccs.security;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
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
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.authorization.web.authentication.JwtClientAssertionAuthenticationConverter;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2AccessTokenResponseAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.preauth.AbstractPreAuthenticatedProcessingFilter;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.HeaderWriterFilter;

/**
 * The embedded dev/demo issuer, on only in the {@code demo} profile and only on a
 * loopback address ({@link DemoIssuerOnLoopback}): Spring Authorization Server issuing
 * access tokens (RFC 9068) at {@code /oauth2/token}, signed with an RSA key pair
 * generated at every start-up (so no key is ever in the repository, and tokens do not
 * survive a restart). Its public key is at {@code /oauth2/jwks}, and its issuer is the
 * one {@link IssuerAddress} names.
 * <p>
 * System clients get {@code client_credentials} tokens, authenticating with a secret or
 * with a signed client assertion ({@code private_key_jwt}, {@link ClientAssertions}).
 * Apps get tokens for a demo user through the SMART App Launch: the authorization code
 * grant at {@code /oauth2/authorize} with S256 PKCE, the sign-in and consent pages of
 * {@link SignInConfig}, and a patient in context from an EHR's launch id
 * ({@link LaunchContextEndpoint}) or the standalone patient picker; the token response
 * names the patient ({@link PatientInTokenResponse}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "epaccs.security.embedded-issuer.enabled", havingValue = "true")
class EmbeddedIssuerConfig {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedIssuerConfig.class);

	EmbeddedIssuerConfig(AccessProperties properties, Environment environment,
			@Value("${server.address:}") String serverAddress,
			@Value("${epaccs.fhir.server-address:}") String publicBaseUrl) {
		refuseUnsafe(properties, environment, serverAddress, publicBaseUrl);
	}

	/**
	 * Stops start-up when the demo issuer would run where it must not: outside the demo
	 * profile, under a setting that is no longer read, or reachable from the network.
	 * {@link StartupSettingsCheck} calls it before anything else starts.
	 */
	static void refuseUnsafe(AccessProperties properties, Environment environment, String serverAddress,
			String publicBaseUrl) {
		if (!properties.embeddedIssuer().enabled()) {
			return;
		}
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
			AuthorizationServerSettings settings, AccessProperties properties, LaunchContexts launches,
			OAuth2AuthorizationService authorizations) throws Exception {
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
		issuer.authorizationEndpoint((authorize) -> authorize.consentPage(SignInConfig.CONSENT)
			.authenticationProviders((providers) -> providers.forEach((provider) -> {
				if (provider instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider codeRequests) {
					codeRequests.setAuthenticationValidator(
							OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_REDIRECT_URI_VALIDATOR
								.andThen(OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_SCOPE_VALIDATOR)
								.andThen(new LaunchParameterCheck(launches)));
				}
			})));
		OAuth2AccessTokenResponseAuthenticationSuccessHandler tokenResponses = new OAuth2AccessTokenResponseAuthenticationSuccessHandler();
		tokenResponses.setAccessTokenResponseCustomizer(
				new PatientInTokenResponse(authorizations, properties.claims().patient()));
		issuer.tokenEndpoint((token) -> token.accessTokenResponseHandler(tokenResponses));
		RequestMatcher authorizeEndpoint = (request) -> ResourceServerConfig.path(request).equals("/oauth2/authorize");
		http.securityMatcher(issuer.getEndpointsMatcher())
			.with(issuer, Customizer.withDefaults())
			// after Spring Authorization Server's own context filter (just after
			// SecurityContextHolderFilter), before every endpoint
			.addFilterBefore(new OneIssuerFilter(address, settings), HeaderWriterFilter.class)
			// Spring Authorization Server exempts its endpoints from CSRF checks; the
			// consent form posted to the authorization endpoint is one a signed-in user's
			// browser sends, so it is checked here
			.addFilterAfter(ConsentFormCsrf.filter(), CsrfFilter.class)
			// before the authorization endpoint, which its filters are placed in front of
			.addFilterBefore(new PatientPickerRedirect(), AbstractPreAuthenticatedProcessingFilter.class)
			.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			// a browser that is not signed in is sent to the sign-in page, and back
			// once signed in (the session remembers where it was going)
			.exceptionHandling((exceptions) -> exceptions.defaultAuthenticationEntryPointFor(
					new LoginUrlAuthenticationEntryPoint(SignInConfig.LOGIN), authorizeEndpoint))
			.requestCache((cache) -> cache.requestCache(authorizeRequestsOnly(authorizeEndpoint)))
			.headers(
					(headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(SignInConfig.PAGE_POLICY)))
			.csrf((csrf) -> csrf.ignoringRequestMatchers(issuer.getEndpointsMatcher()));
		return http.build();
	}

	/**
	 * Remembers only an authorization request to return to after sign-in; a refused token
	 * request opens no session.
	 */
	private static HttpSessionRequestCache authorizeRequestsOnly(RequestMatcher authorizeEndpoint) {
		HttpSessionRequestCache cache = new HttpSessionRequestCache();
		cache.setRequestMatcher(authorizeEndpoint);
		return cache;
	}

	/**
	 * Where the issuer keeps what it authorised (codes, tokens, the patient of a launch),
	 * in memory: tokens do not survive a restart of the demo.
	 */
	@Bean
	OAuth2AuthorizationService embeddedIssuerAuthorizations() {
		return new InMemoryOAuth2AuthorizationService();
	}

	@Bean
	OAuth2AuthorizationConsentService embeddedIssuerConsents() {
		return new InMemoryOAuth2AuthorizationConsentService();
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
	RegisteredClientRepository demoClients(AccessProperties properties, IssuerAddress address) {
		if (properties.embeddedIssuer().clients().isEmpty()) {
			throw new IllegalStateException(
					"epaccs.security.embedded-issuer.enabled is true but no demo clients are configured "
							+ "(epaccs.security.embedded-issuer.clients)");
		}
		log.warn(
				"The embedded dev/demo token issuer is ON with {} demo clients, {} demo users and dev-only secrets: "
						+ "never use it in production (set epaccs.security.issuer-uri instead)",
				properties.embeddedIssuer().clients().size(), properties.embeddedIssuer().users().size());
		return new DemoClients(properties, address);
	}

	/**
	 * Makes the access tokens RFC 9068 ones ({@code typ: at+jwt}, with {@code client_id}
	 * and {@code jti} beside the {@code iss}, {@code sub}, {@code exp} and {@code iat}
	 * every token has), and puts the audience, role and organisation of the demo client
	 * into them, under the claim names the resource server reads.
	 */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> demoClientClaims(AccessProperties properties, LaunchContexts launches) {
		return new DemoTokenClaims(properties, launches);
	}

	/** The embedded issuer's signing key pair, generated at start-up. */
	record EmbeddedIssuerKeys(RSAPublicKey publicKey, RSAPrivateKey privateKey, String keyId) {

		@Override
		public String toString() {
			return "EmbeddedIssuerKeys[" + this.keyId + "]"; // never the key itself
		}

	}

}
