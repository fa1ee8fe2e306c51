package org.openepaccs.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * SMART App Launch (2.x) discovery, public, at {@code /.well-known/smart-configuration}
 * and under the FHIR base ({@code /fhir/.well-known/smart-configuration}, where SMART
 * clients look; that path belongs to HAPI's servlet, hence a filter rather than a
 * controller). It claims only what works: client credentials with a secret or a signed
 * client assertion, the resource server's scopes and, with the embedded issuer, the SMART
 * App Launch (authorization code with S256 PKCE for public and confidential apps, EHR
 * launch with a launch id, standalone launch with the patient picker, the patient in
 * context). No {@code openid}/{@code fhirUser}: the demo users are no Practitioner
 * resources, and no ID token is issued. With an external issuer, what its token endpoint
 * offers and, once its authorization endpoint is configured, the authorization code flow
 * and the {@code launch} scope an app redeems a launch with here; no launch capability,
 * since its token responses carry no patient. The addresses are the one issuer's
 * ({@link IssuerAddress}), whatever address the request came in on.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class SmartConfigurationFilter extends OncePerRequestFilter {

	static final List<String> SCOPES_SUPPORTED = List.of("system/*.read", "system/*.write", "system/*.rs",
			"system/*.cruds", "user/*.read", "user/*.write", "user/*.rs", "user/*.cruds", "patient/*.read",
			"patient/*.rs");

	/** The launch context scopes the embedded issuer honours. */
	static final List<String> LAUNCH_SCOPES = List.of("launch", "launch/patient");

	/**
	 * What the embedded issuer's clients authenticate with
	 * ({@link EmbeddedIssuerConfig}).
	 */
	static final List<String> EMBEDDED_AUTH_METHODS = List.of("client_secret_basic", "client_secret_post",
			"private_key_jwt");

	private final AccessProperties properties;

	private final IssuerAddress address;

	private final ObjectMapper json = new ObjectMapper();

	SmartConfigurationFilter(AccessProperties properties, IssuerAddress address) {
		this.properties = properties;
		this.address = address;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		return !("GET".equals(request.getMethod()) && (path.equals("/.well-known/smart-configuration")
				|| path.equals("/fhir/.well-known/smart-configuration")));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		byte[] body = this.json.writeValueAsBytes(discovery());
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType("application/json");
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

	Map<String, Object> discovery() {
		boolean embedded = this.properties.embeddedIssuer().enabled();
		List<String> authMethods = embedded ? EMBEDDED_AUTH_METHODS : this.properties.tokenEndpointAuthMethods();
		Map<String, Object> discovery = new LinkedHashMap<>();
		discovery.put("issuer", this.address.issuer());
		putIfKnown(discovery, "jwks_uri", this.address.jwksUri());
		putIfKnown(discovery, "authorization_endpoint", this.address.authorizationEndpoint());
		putIfKnown(discovery, "token_endpoint", this.address.tokenEndpoint());
		// an external issuer's sign-in for apps is advertised once its authorization
		// endpoint is configured; its launch context is then this server's
		// (LaunchContextEndpoint), not in its token response, so no launch capability is
		// claimed for it
		boolean externalSignIn = !embedded && this.address.authorizationEndpoint() != null
				&& this.address.tokenEndpoint() != null;
		discovery.put("grant_types_supported", embedded
				? List.of("authorization_code", "client_credentials", "refresh_token")
				: externalSignIn ? List.of("authorization_code", "client_credentials") : List.of("client_credentials"));
		if (embedded || externalSignIn) {
			discovery.put("response_types_supported", List.of("code"));
			// Spring Authorization Server verifies S256 only (plain is refused); the
			// Keycloak realm in config/ requires S256 of the viewer
			discovery.put("code_challenge_methods_supported", List.of("S256"));
		}
		if (!authMethods.isEmpty()) {
			discovery.put("token_endpoint_auth_methods_supported", authMethods);
		}
		if (embedded) {
			// SMART Backend Services' required algorithm, the one ClientAssertions
			// accepts
			discovery.put("token_endpoint_auth_signing_alg_values_supported", List.of("RS384"));
		}
		List<String> scopes = new ArrayList<>(SCOPES_SUPPORTED);
		if (embedded) {
			scopes.addAll(LAUNCH_SCOPES);
		}
		else if (externalSignIn) {
			// what an app asks for to redeem a launch here (LaunchContextEndpoint)
			scopes.add(LaunchContextEndpoint.LAUNCH_SCOPE);
		}
		discovery.put("scopes_supported", scopes);
		List<String> capabilities = new ArrayList<>();
		if (embedded) {
			capabilities.addAll(List.of("launch-ehr", "launch-standalone", "client-public", "context-ehr-patient",
					"context-standalone-patient"));
		}
		if (authMethods.stream().anyMatch((method) -> method.startsWith("client_secret_"))) {
			capabilities.add("client-confidential-symmetric");
		}
		if (authMethods.contains("private_key_jwt")) {
			capabilities.add("client-confidential-asymmetric");
		}
		capabilities.addAll(List.of("permission-v1", "permission-v2", "permission-patient", "permission-user"));
		discovery.put("capabilities", capabilities);
		return discovery;
	}

	private static void putIfKnown(Map<String, Object> discovery, String name, String value) {
		if (value != null) {
			discovery.put(name, value);
		}
	}

}
