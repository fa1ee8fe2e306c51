package org.openepaccs.security;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.openepaccs.common.RequestPath;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Every request under {@code /fhir} needs a valid JWT access token, except the
 * CapabilityStatement and SMART discovery: signature from the issuer's keys (RS256, ES256
 * or PS256 only: {@code alg: none} and HMAC are refused), {@code exp}/{@code nbf} with a
 * small clock skew, {@code iss} and {@code aud}. Failures are 401 with
 * {@code WWW-Authenticate} and an OperationOutcome.
 */
@Configuration(proxyBeanMethods = false)
class ResourceServerConfig {

	private static final String LIVENESS = "/actuator/health/liveness";

	private static final String READINESS = "/actuator/health/readiness";

	static final String OPEN_MANAGEMENT_PORT = "epaccs.security.open-management-port";

	@Bean
	@Order(2)
	SecurityFilterChain fhirFilterChain(HttpSecurity http, JwtDecoder decoder, ApplicationEventPublisher events,
			AccessProperties properties) throws Exception {
		if (!properties.enabled()) {
			LoggerFactory.getLogger(ResourceServerConfig.class)
				.error("ACCESS CONTROL, CONSENT AND AUDIT ARE OFF (epaccs.security.enabled=false): anyone can read "
						+ "and change everything. This is for benchmark baselines only, never for real data");
			return http.securityMatcher((request) -> path(request).startsWith("/fhir"))
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}
		OperationOutcomeAuthenticationEntryPoint refusal = new OperationOutcomeAuthenticationEntryPoint(events);
		http.securityMatcher((request) -> path(request).equals("/fhir") || path(request).startsWith("/fhir/"))
			.authorizeHttpRequests((requests) -> requests
				.requestMatchers((request) -> isGet(request) && path(request).equals("/fhir/metadata"))
				.permitAll()
				// CORS preflight carries no token; CorsConfig answers it
				.requestMatchers((request) -> HttpMethod.OPTIONS.matches(request.getMethod()))
				.permitAll()
				.anyRequest()
				.authenticated())
			.oauth2ResourceServer((resourceServer) -> resourceServer.jwt((jwt) -> jwt.decoder(decoder))
				.authenticationEntryPoint(refusal)
				.accessDeniedHandler(refusal))
			.exceptionHandling(
					(exceptions) -> exceptions.authenticationEntryPoint(refusal).accessDeniedHandler(refusal))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf((csrf) -> csrf.disable()) // bearer tokens, no cookies
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

	/**
	 * The actuator's endpoints other than the liveness and readiness probes (metrics,
	 * build information, the health of each component) need an access token with the
	 * admin role: what they tell (request rates, pool sizes, versions) helps an attacker
	 * more than anyone without the role. The probes stay open, because a load balancer or
	 * an orchestrator calls them without a token. A deployer who serves the actuator on a
	 * separate port that only the monitoring network reaches
	 * ({@code management.server.port}) may open that port instead, with
	 * {@value #OPEN_MANAGEMENT_PORT}; the server's own port stays closed.
	 */
	@Bean
	@Order(1)
	SecurityFilterChain actuatorFilterChain(HttpSecurity http, JwtDecoder decoder, Callers callers,
			ApplicationEventPublisher events, Environment environment) throws Exception {
		boolean openManagementPort = environment.getProperty(OPEN_MANAGEMENT_PORT, Boolean.class, false);
		OperationOutcomeAuthenticationEntryPoint refusal = new OperationOutcomeAuthenticationEntryPoint(events);
		http.securityMatcher((request) -> path(request).equals("/actuator") || path(request).startsWith("/actuator/"))
			.authorizeHttpRequests((requests) -> requests
				.requestMatchers((request) -> isGet(request)
						&& (path(request).equals(LIVENESS) || path(request).equals(READINESS)))
				.permitAll()
				.anyRequest()
				.access((authentication, context) -> new AuthorizationDecision(
						(openManagementPort && onSeparateManagementPort(context.getRequest(), environment))
								|| (authentication.get() instanceof JwtAuthenticationToken token
										&& callers.fromToken(token.getToken()).role() == Role.ADMIN))))
			.oauth2ResourceServer((resourceServer) -> resourceServer.jwt((jwt) -> jwt.decoder(decoder))
				.authenticationEntryPoint(refusal)
				.accessDeniedHandler(refusal))
			.exceptionHandling(
					(exceptions) -> exceptions.authenticationEntryPoint(refusal).accessDeniedHandler(refusal))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf((csrf) -> csrf.disable())
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

	/**
	 * Whether the request came in on the actuator's own port, when it has one: Spring
	 * Boot publishes both ports once they listen.
	 */
	private static boolean onSeparateManagementPort(HttpServletRequest request, Environment environment) {
		Integer management = environment.getProperty("local.management.port", Integer.class);
		Integer server = environment.getProperty("local.server.port", Integer.class);
		return management != null && !management.equals(server) && request.getLocalPort() == management;
	}

	/** The path within the application, percent-decoded ({@link RequestPath}). */
	static String path(HttpServletRequest request) {
		return RequestPath.of(request);
	}

	private static boolean isGet(HttpServletRequest request) {
		return HttpMethod.GET.matches(request.getMethod()) || HttpMethod.HEAD.matches(request.getMethod());
	}

	/**
	 * Everything else (SMART discovery at the root, error pages) is public: without this
	 * chain Spring Boot would put a login form in front of it.
	 */
	@Bean
	@Order(3)
	SecurityFilterChain publicFilterChain(HttpSecurity http) throws Exception {
		http.securityMatcher("/**")
			.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf((csrf) -> csrf.disable())
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

	@Bean
	JwtDecoder jwtDecoder(AccessProperties properties, IssuerAddress issuerAddress,
			ObjectProvider<EmbeddedIssuerConfig.EmbeddedIssuerKeys> embeddedKeys) {
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		validators.add(ResourceServerConfig::accessTokenTypes);
		validators.add(new JwtTimestampValidator(properties.clockSkew()));
		validators.add(ResourceServerConfig::expires);
		// the embedded issuer's address is known only once the server listens: asked per
		// token
		validators.add((jwt) -> new JwtIssuerValidator(issuerAddress.issuer()).validate(jwt));
		validators.add(audience(properties.audience()));
		validators.add(namesTheUser(properties.claims().user()));
		OAuth2TokenValidator<Jwt> checks = new DelegatingOAuth2TokenValidator<>(validators);
		JwtDecoder decoder;
		if (properties.embeddedIssuer().enabled()) {
			NimbusJwtDecoder embedded = NimbusJwtDecoder.withPublicKey(embeddedKeys.getObject().publicKey())
				.signatureAlgorithm(SignatureAlgorithm.RS256)
				.validateType(false) // accessTokenTypes() below, which knows at+jwt
				.build();
			embedded.setJwtValidator(checks);
			decoder = embedded;
		}
		else {
			// building it reads the issuer's discovery document: done on the first token,
			// so the server starts while the issuer is briefly unreachable
			decoder = new DecoderOnFirstUse(() -> {
				NimbusJwtDecoder.JwkSetUriJwtDecoderBuilder builder = (properties.jwkSetUri() != null)
						? NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUri().toString())
						: NimbusJwtDecoder.withIssuerLocation(properties.issuerUri().toString());
				NimbusJwtDecoder external = builder
					.jwsAlgorithms((algorithms) -> algorithms
						.addAll(List.of(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256, SignatureAlgorithm.PS256)))
					.validateType(false)
					.build();
				external.setJwtValidator(checks);
				return external;
			});
		}
		return new VerifiedTokens(decoder, properties.clockSkew(), Clock.systemUTC());
	}

	/**
	 * A JWT ({@code typ} absent or {@code JWT}, as most issuers send) or an RFC 9068
	 * access token ({@code at+jwt}, as the embedded issuer sends); any other type is a
	 * different kind of token (an ID token of some profiles, a logout token) and refused.
	 */
	private static OAuth2TokenValidatorResult accessTokenTypes(Jwt jwt) {
		Object type = jwt.getHeaders().get("typ");
		String bare = (type != null) ? type.toString().toLowerCase(java.util.Locale.ROOT).replace("application/", "")
				: "jwt";
		return (bare.equals("jwt") || bare.equals("at+jwt")) ? OAuth2TokenValidatorResult.success()
				: OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token",
						"The token's type (typ " + type + ") is not an access token's (JWT or at+jwt)", null));
	}

	/** A token without {@code exp} would be valid for ever: refused. */
	private static OAuth2TokenValidatorResult expires(Jwt jwt) {
		return (jwt.getExpiresAt() != null) ? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult
			.failure(new OAuth2Error("invalid_token", "The access token has no expiry (exp)", null));
	}

	/**
	 * A token that names no user would be recorded in the audit trail and on every change
	 * as made by nobody: refused. (A Keycloak realm import without the {@code basic}
	 * client scope issues such user tokens.)
	 */
	private static OAuth2TokenValidator<Jwt> namesTheUser(String claim) {
		OAuth2Error noUser = new OAuth2Error("invalid_token",
				"The access token names no user: its " + claim + " claim is missing or empty", null);
		return (jwt) -> (jwt.getClaimAsString(claim) != null && !jwt.getClaimAsString(claim).isBlank())
				? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult.failure(noUser);
	}

	private static OAuth2TokenValidator<Jwt> audience(String audience) {
		OAuth2Error wrongAudience = new OAuth2Error("invalid_token",
				"The access token is not for this server: its aud claim must contain " + audience, null);
		return (jwt) -> (jwt.getAudience() != null && jwt.getAudience().contains(audience))
				? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult.failure(wrongAudience);
	}

}
