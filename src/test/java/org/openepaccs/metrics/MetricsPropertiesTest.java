package org.openepaccs.metrics;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.StartupFailures;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	@Test
	void suppressesOneToSevenAndRoundsToFiveByDefault() {
		this.runner.run((context) -> {
			MetricsProperties properties = context.getBean(MetricsProperties.class);
			assertThat(properties).isEqualTo(MetricsProperties.defaults());
		});
	}

	@Test
	void readsListSizesByOdsCode() {
		this.runner.withPropertyValues("epaccs.metrics.list-sizes.Y12345=8200").run((context) -> {
			assertThat(context.getBean(MetricsProperties.class).listSizes()).containsEntry("Y12345", 8200);
		});
	}

	@Test
	void refusesASmallestShownCountOfOne() {
		StartupFailures.assertStartupFails(this.runner, "epaccs.metrics.smallest-shown-count=1", "smallestShownCount",
				"must be greater than or equal to 2");
	}

	@Test
	void refusesARoundingBaseOfZero() {
		StartupFailures.assertStartupFails(this.runner, "epaccs.metrics.rounding-base=0", "roundingBase",
				"must be greater than or equal to 1");
	}

	@Test
	void refusesANegativeListSize() {
		StartupFailures.assertStartupFails(this.runner, "epaccs.metrics.list-sizes.Y12345=-3", "listSizes",
				"must be greater than 0");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(MetricsProperties.class)
	static class Properties {

	}

}
