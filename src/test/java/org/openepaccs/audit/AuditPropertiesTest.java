package org.openepaccs.audit;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.StartupFailures;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class AuditPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	@Test
	void readsEventsCommitAsynchronouslyByDefaultOnFourConnections() {
		this.runner.run((context) -> {
			AuditProperties properties = context.getBean(AuditProperties.class);
			assertThat(properties.synchronousReadCommit()).isFalse();
			assertThat(properties.readConnections()).isEqualTo(4);
		});
	}

	@Test
	void refusesNoReadConnections() {
		StartupFailures.assertStartupFails(this.runner, "epaccs.audit.read-connections=0", "readConnections",
				"must be greater than or equal to 1");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(AuditProperties.class)
	static class Properties {

	}

}
