package org.openepaccs.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * SMART App Launch discovery, public, at {@code /.well-known/smart-configuration} and
 * under the FHIR base ({@code /fhir/.well-known/smart-configuration}, where SMART clients
 * look; that path belongs to HAPI's servlet, hence a filter rather than a controller).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class SmartConfigurationFilter extends OncePerRequestFilter {

	static final List<String> SCOPES_SUPPORTED = List.of("system/*.read", "system/*.write", "system/*.rs",
			"system/*.cruds", "user/*.read", "user/*.write", "user/*.rs", "user/*.cruds", "patient/*.read",
			"patient/*.rs", "launch/patient");

	private final AccessProperties properties;

	private final ObjectMapper json = new ObjectMapper();

	SmartConfigurationFilter(AccessProperties properties) {
		this.properties = properties;
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
		String base = ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
		Map<String, Object> discovery = new LinkedHashMap<>();
		if (this.properties.embeddedIssuer().enabled()) {
			discovery.put("issuer", this.properties.embeddedIssuer().issuer().toString());
			discovery.put("jwks_uri", base + "/oauth2/jwks");
			discovery.put("token_endpoint", base + "/oauth2/token");
			discovery.put("grant_types_supported", List.of("client_credentials"));
			discovery.put("token_endpoint_auth_methods_supported",
					List.of("client_secret_basic", "client_secret_post"));
		}
		else {
			discovery.put("issuer", this.properties.issuerUri().toString());
			if (this.properties.jwkSetUri() != null) {
				discovery.put("jwks_uri", this.properties.jwkSetUri().toString());
			}
			if (this.properties.tokenEndpoint() != null) {
				discovery.put("token_endpoint", this.properties.tokenEndpoint().toString());
			}
			discovery.put("token_endpoint_auth_methods_supported",
					List.of("client_secret_basic", "client_secret_post", "private_key_jwt"));
		}
		discovery.put("scopes_supported", SCOPES_SUPPORTED);
		discovery.put("capabilities", List.of("client-confidential-symmetric", "client-confidential-asymmetric",
				"permission-v1", "permission-v2", "permission-patient", "permission-user"));
		byte[] body = this.json.writeValueAsBytes(discovery);
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType("application/json");
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

}
