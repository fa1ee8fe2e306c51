package org.openepaccs.budget;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.StartupFailures;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseBudgetPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	@Test
	void defaultsToThirtySecondsAndHalfThePoolPerClient() {
		this.runner.run((context) -> {
			DatabaseBudgetProperties properties = context.getBean(DatabaseBudgetProperties.class);
			assertThat(properties.requestTimeBudget()).isEqualTo(Duration.ofSeconds(30));
			assertThat(properties.clientShare()).isEqualTo(0.5);
			assertThat(properties.clientWait()).isEqualTo(Duration.ofSeconds(2));
		});
	}

	@Test
	void refusesABudgetTooShortToServeAnything() {
		StartupFailures.assertStartupFails(this.runner, "epaccs.database.request-time-budget=10ms",
				"request-time-budget must be between 100ms and 1h");
	}

	@Test
	void refusesAShareOfNothingOrMoreThanThePool() {
		StartupFailures.assertStartupFails(this.runner, "epaccs.database.client-share=0", "clientShare");
		StartupFailures.assertStartupFails(this.runner, "epaccs.database.client-share=1.5", "clientShare");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(DatabaseBudgetProperties.class)
	static class Properties {

	}

}
