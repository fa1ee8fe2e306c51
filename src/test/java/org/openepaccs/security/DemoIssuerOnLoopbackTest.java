package org.openepaccs.security;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class DemoIssuerOnLoopbackTest {

	@Test
	void theDemoRunsOnThisMachine() {
		assertThatCode(() -> DemoIssuerOnLoopback.check(issuer(false), "127.0.0.1", "")).doesNotThrowAnyException();
		assertThatCode(() -> DemoIssuerOnLoopback.check(issuer(false), "::1", "")).doesNotThrowAnyException();
	}

	@Test
	void aDemoListeningOnEveryInterfaceIsRefused() {
		assertThatIllegalStateException().isThrownBy(() -> DemoIssuerOnLoopback.check(issuer(false), "", ""))
			.withMessageContaining("every network interface")
			.withMessageContaining("allow-network");
		assertThatIllegalStateException().isThrownBy(() -> DemoIssuerOnLoopback.check(issuer(false), "0.0.0.0", ""))
			.withMessageContaining("server.address 0.0.0.0");
		assertThatIllegalStateException().isThrownBy(() -> DemoIssuerOnLoopback.check(issuer(false), "192.0.2.10", ""))
			.withMessageContaining("server.address 192.0.2.10");
	}

	@Test
	void aDemoBehindAProxyPublishingANetworkBaseUrlIsRefused() {
		assertThatIllegalStateException()
			.isThrownBy(() -> DemoIssuerOnLoopback.check(issuer(false), "127.0.0.1", "https://epaccs.example.org/fhir"))
			.withMessageContaining("epaccs.fhir.server-address");
		assertThatCode(() -> DemoIssuerOnLoopback.check(issuer(false), "127.0.0.1", "http://localhost:8080/fhir"))
			.doesNotThrowAnyException();
	}

	@Test
	void everyInterfaceOfIpv6IsNotLoopback() {
		assertThatIllegalStateException().isThrownBy(() -> DemoIssuerOnLoopback.check(issuer(false), "::", ""))
			.withMessageContaining("server.address ::");
		assertThat(DemoIssuerOnLoopback.isLoopback("[::1]")).isTrue();
	}

	@Test
	void theDeployerMayAllowTheNetworkExplicitly() {
		assertThatCode(() -> DemoIssuerOnLoopback.check(issuer(true), "0.0.0.0", "")).doesNotThrowAnyException();
	}

	private static AccessProperties.EmbeddedIssuer issuer(boolean allowNetwork) {
		return new AccessProperties.EmbeddedIssuer(true, Duration.ofMinutes(15), Map.of(), allowNetwork);
	}

}
