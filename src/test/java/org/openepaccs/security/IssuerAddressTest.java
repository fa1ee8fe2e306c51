package org.openepaccs.security;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openepaccs.fhir.FhirServerProperties;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The embedded issuer's one address: the public base URL without {@code /fhir}, or
 * {@code http://localhost:<port>} once the server listens; an external issuer as
 * configured.
 */
class IssuerAddressTest {

	@Test
	void thePublicBaseUrlWithoutFhirIsTheIssuer() {
		IssuerAddress address = new IssuerAddress(embedded(), fhir("https://epaccs.example.org/fhir/"),
				new MockEnvironment().withProperty("local.server.port", "8443"));

		assertThat(address.issuer()).isEqualTo("https://epaccs.example.org");
		assertThat(address.tokenEndpoint()).isEqualTo("https://epaccs.example.org/oauth2/token");
		assertThat(address.jwksUri()).isEqualTo("https://epaccs.example.org/oauth2/jwks");
		assertThat(IssuerAddress.rootOf(URI.create("https://proxy.example.org/epaccs/fhir")))
			.isEqualTo("https://proxy.example.org/epaccs");
	}

	@Test
	void withoutOneItIsLocalhostOnThePortTheServerListensOn() {
		MockEnvironment environment = new MockEnvironment();
		IssuerAddress address = new IssuerAddress(embedded(), fhir(null), environment);
		assertThatIllegalStateException().isThrownBy(address::issuer)
			.withMessageContaining("before the server listens");

		environment.setProperty("local.server.port", "41234");
		assertThat(address.issuer()).isEqualTo("http://localhost:41234");
		assertThat(address.tokenEndpoint()).isEqualTo("http://localhost:41234/oauth2/token");
	}

	@Test
	void aPublicBaseUrlNotEndingInFhirIsRefusedWithTheEmbeddedIssuer() {
		assertThatIllegalStateException().isThrownBy(
				() -> new IssuerAddress(embedded(), fhir("https://epaccs.example.org/api/r4"), new MockEnvironment()))
			.withMessageContaining("does not end in /fhir");
	}

	@Test
	void anExternalIssuerIsAsConfigured() {
		AccessProperties external = new AccessProperties(true, "epaccs-fhir",
				URI.create("https://keycloak.example.org/realms/epaccs"), null,
				URI.create("https://keycloak.example.org/realms/epaccs/protocol/openid-connect/token"), List.of(),
				URI.create("https://keycloak.example.org/realms/epaccs/protocol/openid-connect/auth"),
				Duration.ofSeconds(60), claims(),
				new AccessProperties.EmbeddedIssuer(false, Duration.ofMinutes(15), Map.of(), false),
				Duration.ofMinutes(5));
		IssuerAddress address = new IssuerAddress(external, fhir("https://epaccs.example.org/api/r4"),
				new MockEnvironment());

		assertThat(address.issuer()).isEqualTo("https://keycloak.example.org/realms/epaccs");
		assertThat(address.tokenEndpoint())
			.isEqualTo("https://keycloak.example.org/realms/epaccs/protocol/openid-connect/token");
		assertThat(address.authorizationEndpoint())
			.isEqualTo("https://keycloak.example.org/realms/epaccs/protocol/openid-connect/auth");
		assertThat(address.jwksUri()).isNull();
	}

	private static AccessProperties embedded() {
		return new AccessProperties(true, "epaccs-fhir", null, null, null, List.of(), null, Duration.ofSeconds(60),
				claims(), new AccessProperties.EmbeddedIssuer(true, Duration.ofMinutes(15), Map.of(), false),
				Duration.ofMinutes(5));
	}

	private static AccessProperties.Claims claims() {
		return new AccessProperties.Claims("epaccs_role", Map.of(), "epaccs_ods", "sub", "patient", "purpose_of_use",
				"", "selected_roleid");
	}

	private static FhirServerProperties fhir(String serverAddress) {
		return new FhirServerProperties("EPaCCS FHIR Server",
				(serverAddress != null) ? URI.create(serverAddress) : null, 20, 200,
				FhirServerProperties.UnknownSearchParameters.STRICT);
	}

}
