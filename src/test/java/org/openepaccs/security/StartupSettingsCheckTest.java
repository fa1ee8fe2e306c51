package org.openepaccs.security;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartupSettingsCheckTest {

	private final StartupSettingsCheck check = new StartupSettingsCheck();

	private final SpringApplication application = new SpringApplication();

	@Test
	void thisServerWithoutAnIssuerIsRefusedSayingWhatToSet() {
		MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name", "epaccs");
		assertThatThrownBy(() -> this.check.postProcessEnvironment(environment, this.application))
			.hasMessageContaining("set epaccs.security.issuer-uri")
			.hasMessageContaining("--spring.profiles.active=demo");
	}

	@Test
	void theDemoIssuerListeningOnEveryInterfaceIsRefused() {
		MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name", "epaccs")
			.withProperty("epaccs.security.embedded-issuer.enabled", "true");
		environment.setActiveProfiles("demo");
		assertThatThrownBy(() -> this.check.postProcessEnvironment(environment, this.application))
			.hasMessageContaining("every network interface")
			.hasMessageContaining("allow-network");
		environment.setProperty("server.address", "127.0.0.1");
		assertThatCode(() -> this.check.postProcessEnvironment(environment, this.application))
			.doesNotThrowAnyException();
	}

	@Test
	void anotherApplicationOnTheClassPathIsNotChecked() {
		MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name", "plain-hapi");
		assertThatCode(() -> this.check.postProcessEnvironment(environment, this.application))
			.doesNotThrowAnyException();
	}

}
