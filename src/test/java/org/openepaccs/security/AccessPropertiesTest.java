package org.openepaccs.security;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.StartupFailures;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that trusts no issuer, or two, does not start; the message says what to set.
 */
class AccessPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	@Test
	void refusesToStartWithoutAnIssuer() {
		this.runner.run((context) -> {
			assertThat(context).hasFailed();
			assertThat(StartupFailures.messages(context.getStartupFailure()))
				.contains("set epaccs.security.issuer-uri");
		});
	}

	@Test
	void refusesTwoIssuers() {
		this.runner
			.withPropertyValues("epaccs.security.issuer-uri=https://issuer.example.org",
					"epaccs.security.embedded-issuer.enabled=true")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void refusesALargeClockSkew() {
		StartupFailures.assertStartupFails(
				this.runner.withPropertyValues("epaccs.security.issuer-uri=https://issuer.example.org"),
				"epaccs.security.clock-skew=1h", "clock-skew must be between 0 and 5 minutes");
	}

	@Test
	void readsAnExternalIssuerWithAClaimsMapping() {
		this.runner
			.withPropertyValues("epaccs.security.issuer-uri=https://issuer.example.org",
					"epaccs.security.claims.role=selected_roleid", "epaccs.security.claims.role-values.R8000=clinician")
			.run((context) -> {
				AccessProperties properties = context.getBean(AccessProperties.class);
				assertThat(properties.claims().role()).isEqualTo("selected_roleid");
				assertThat(properties.claims().roleValues()).containsEntry("R8000", "clinician");
				assertThat(properties.audience()).isEqualTo("epaccs-fhir");
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(AccessProperties.class)
	static class Properties {

	}

}
