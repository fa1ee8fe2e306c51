package org.openepaccs.server;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

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
		assertFailsWith("epaccs.fhir.default-page-size=0", "default-page-size", "must be greater than or equal to 1");
	}

	@Test
	void refusesAMaximumPageSizeOverOneThousand() {
		assertFailsWith("epaccs.fhir.max-page-size=100000", "max-page-size", "must be less than or equal to 1000");
	}

	@Test
	void refusesADefaultPageSizeAboveTheMaximum() {
		this.runner.withPropertyValues("epaccs.fhir.default-page-size=300", "epaccs.fhir.max-page-size=200")
			.run(context -> assertThat(messages(context.getStartupFailure()))
				.contains("default-page-size must not be larger than max-page-size"));
	}

	@Test
	void refusesAnUnknownSearchParameterMode() {
		assertFailsWith("epaccs.fhir.unknown-search-parameters=sometimes", "unknown-search-parameters", "sometimes");
	}

	@Test
	void refusesAServerAddressThatIsNotAnAbsoluteHttpUrl() {
		assertFailsWith("epaccs.fhir.server-address=ftp://example.org/fhir", "server-address", "absolute http(s) URL");
	}

	@Test
	void refusesABlankServerName() {
		assertFailsWith("epaccs.fhir.server-name= ", "server-name", "must not be blank");
	}

	private void assertFailsWith(String property, String key, String reason) {
		this.runner.withPropertyValues(property).run(context -> {
			assertThat(context).hasFailed();
			String messages = messages(context.getStartupFailure());
			assertThat(messages).contains(key).contains(reason);
		});
	}

	static String messages(Throwable failure) {
		StringBuilder all = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			all.append(t.getMessage()).append('\n');
		}
		return all.toString();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(FhirServerProperties.class)
	static class Properties {

	}

}
