package org.openepaccs.fhir;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.StartupFailures;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openepaccs.testsupport.StartupFailures.assertStartupFails;

/**
 * A bad {@code epaccs.fhir.*} value stops start-up with a message naming the key and the
 * rule.
 */
class FhirServerPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	@Test
	void defaults() {
		this.runner.run(context -> {
			FhirServerProperties properties = context.getBean(FhirServerProperties.class);
			assertThat(properties.serverName()).isEqualTo("EPaCCS FHIR Server");
			assertThat(properties.defaultPageSize()).isEqualTo(20);
			assertThat(properties.maxPageSize()).isEqualTo(200);
			assertThat(properties.unknownSearchParameters())
				.isEqualTo(FhirServerProperties.UnknownSearchParameters.STRICT);
			assertThat(properties.serverAddress()).isNull();
		});
	}

	@Test
	void acceptsAValidConfiguration() {
		this.runner
			.withPropertyValues("epaccs.fhir.max-page-size=500", "epaccs.fhir.default-page-size=50",
					"epaccs.fhir.unknown-search-parameters=lenient",
					"epaccs.fhir.server-address=https://epaccs.example.nhs.uk/fhir")
			.run(context -> assertThat(context).hasNotFailed());
	}

	@Test
	void refusesAPageSizeBelowOne() {
		assertStartupFails(this.runner, "epaccs.fhir.default-page-size=0", "default-page-size",
				"must be greater than or equal to 1");
	}

	@Test
	void refusesAMaximumPageSizeOverOneThousand() {
		assertStartupFails(this.runner, "epaccs.fhir.max-page-size=100000", "max-page-size",
				"must be less than or equal to 1000");
	}

	@Test
	void refusesADefaultPageSizeAboveTheMaximum() {
		this.runner.withPropertyValues("epaccs.fhir.default-page-size=300", "epaccs.fhir.max-page-size=200")
			.run(context -> assertThat(StartupFailures.messages(context.getStartupFailure()))
				.contains("default-page-size must not be larger than max-page-size"));
	}

	@Test
	void refusesAnUnknownSearchParameterMode() {
		assertStartupFails(this.runner, "epaccs.fhir.unknown-search-parameters=sometimes", "unknown-search-parameters",
				"sometimes");
	}

	@Test
	void refusesAServerAddressThatIsNotAnAbsoluteHttpUrl() {
		assertStartupFails(this.runner, "epaccs.fhir.server-address=ftp://example.org/fhir", "server-address",
				"absolute http(s) URL");
	}

	@Test
	void refusesABlankServerName() {
		assertStartupFails(this.runner, "epaccs.fhir.server-name= ", "server-name", "must not be blank");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(FhirServerProperties.class)
	static class Properties {

	}

}
