package org.openepaccs.common;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class BrowserAppPolicyTest {

	@Test
	void withTheEmbeddedIssuerTheAppsConnectToThisServerOnly() {
		MockEnvironment demo = new MockEnvironment().withProperty("epaccs.security.embedded-issuer.enabled", "true")
			.withProperty("epaccs.security.token-endpoint", "https://keycloak.example.org/realms/x/token");

		assertThat(BrowserAppPolicy.of(demo, "'self'")).contains("connect-src 'self';")
			.contains("script-src 'self';")
			.doesNotContain("keycloak")
			.doesNotContain("unsafe");
	}

	@Test
	void withAnExternalIssuerTheyMayAlsoConnectToItsTokenEndpointsOriginAndNoWhereElse() {
		MockEnvironment external = new MockEnvironment().withProperty("epaccs.security.token-endpoint",
				"https://keycloak.example.org:8443/realms/epaccs/protocol/openid-connect/token");

		String policy = BrowserAppPolicy.of(external, "'self'");

		assertThat(policy).contains("connect-src 'self' https://keycloak.example.org:8443;")
			.contains("script-src 'self';")
			.contains("frame-ancestors 'none'");
	}

	@Test
	void aTokenEndpointThatIsNoAbsoluteUrlRefusesStartUp() {
		MockEnvironment external = new MockEnvironment().withProperty("epaccs.security.token-endpoint",
				"/realms/epaccs/token");

		assertThatIllegalStateException().isThrownBy(() -> BrowserAppPolicy.of(external, "'self'"))
			.withMessageContaining("epaccs.security.token-endpoint");
	}

}
