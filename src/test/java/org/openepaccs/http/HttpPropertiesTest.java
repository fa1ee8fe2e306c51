package org.openepaccs.http;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openepaccs.testsupport.StartupFailures.assertStartupFails;

/**
 * A bad {@code epaccs.http.*} value stops start-up with a message naming the key and the
 * rule.
 */
class HttpPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	@Test
	void defaultsToTenMegabytesAndNoOrigins() {
		this.runner.run(context -> {
			HttpProperties properties = context.getBean(HttpProperties.class);
			assertThat(properties.maxRequestBody().toMegabytes()).isEqualTo(10);
			assertThat(properties.cors().allowedOrigins()).isEmpty();
		});
	}

	@Test
	void acceptsExplicitOrigins() {
		this.runner
			.withPropertyValues("epaccs.http.cors.allowed-origins=https://viewer.example.org,http://localhost:5173")
			.run(context -> assertThat(context.getBean(HttpProperties.class).cors().allowedOrigins()).hasSize(2));
	}

	@Test
	void refusesAWildcardOrigin() {
		assertStartupFails(this.runner, "epaccs.http.cors.allowed-origins=*", "allowed-origins", "no wildcard");
	}

	@Test
	void refusesAnOriginWithAPath() {
		assertStartupFails(this.runner, "epaccs.http.cors.allowed-origins=https://viewer.example.org/app",
				"allowed-origins", "no path");
	}

	@Test
	void refusesABodyLimitThatIsNotASize() {
		assertStartupFails(this.runner, "epaccs.http.max-request-body=lots", "max-request-body", "lots");
	}

	@Test
	void refusesABodyLimitOutOfRange() {
		assertStartupFails(this.runner, "epaccs.http.max-request-body=2GB", "max-request-body",
				"between 1KB and 512MB");
		assertStartupFails(this.runner, "epaccs.http.max-request-body=10B", "max-request-body",
				"between 1KB and 512MB");
	}

	@Test
	void requestLimitsHaveDefaults() {
		HttpProperties.Limits limits = defaultLimits();
		assertThat(limits.maxStringLength().toMegabytes()).isEqualTo(1);
		assertThat(limits.maxArrayLength()).isEqualTo(10_000);
		assertThat(limits.maxSearchParameters()).isEqualTo(50);
		assertThat(limits.maxOrValues()).isEqualTo(100);
		assertThat(limits.maxSortKeys()).isEqualTo(5);
		assertThat(limits.maxIncludes()).isEqualTo(10);
		assertThat(limits.maxTransactionEntries()).isEqualTo(1000);
		assertThat(limits.maxPatchOperations()).isEqualTo(100);
		assertThat(limits.maxElementsPerResource()).isEqualTo(20_000);
		assertThat(limits.maxExtensionsPerResource()).isEqualTo(1000);
		assertThat(limits.maxPatchPathLength()).isEqualTo(1000);
		this.runner.withPropertyValues("epaccs.http.limits.max-search-parameters=80")
			.run((context) -> assertThat(context.getBean(HttpProperties.class).limits().maxSearchParameters())
				.isEqualTo(80));
	}

	@Test
	void refusesRequestLimitsOutOfRange() {
		assertStartupFails(this.runner, "epaccs.http.limits.max-string-length=100B", "max-string-length",
				"between 1KB and 512MB");
		assertStartupFails(this.runner, "epaccs.http.limits.max-string-length=long", "max-string-length", "long");
		assertStartupFails(this.runner, "epaccs.http.limits.max-array-length=10", "maxArrayLength",
				"must be greater than or equal to 100");
		assertStartupFails(this.runner, "epaccs.http.limits.max-search-parameters=0", "maxSearchParameters",
				"must be greater than or equal to 5");
		assertStartupFails(this.runner, "epaccs.http.limits.max-or-values=0", "maxOrValues",
				"must be greater than or equal to 1");
		assertStartupFails(this.runner, "epaccs.http.limits.max-sort-keys=1000", "maxSortKeys",
				"must be less than or equal to 100");
		assertStartupFails(this.runner, "epaccs.http.limits.max-includes=-1", "maxIncludes",
				"must be greater than or equal to 0");
		assertStartupFails(this.runner, "epaccs.http.limits.max-transaction-entries=0", "maxTransactionEntries",
				"must be greater than or equal to 1");
		assertStartupFails(this.runner, "epaccs.http.limits.max-patch-operations=many", "max-patch-operations", "many");
		assertStartupFails(this.runner, "epaccs.http.limits.max-patch-path-length=100000", "maxPatchPathLength",
				"must be less than or equal to 4000");
	}

	@Test
	void refusesContentLimitsBelowWhatFhirNeeds() {
		assertStartupFails(this.runner, "epaccs.http.limits.max-decimal-digits=10", "maxDecimalDigits",
				"must be greater than or equal to 18");
		assertStartupFails(this.runner, "epaccs.http.limits.max-nesting-depth=3", "maxNestingDepth",
				"must be greater than or equal to 16");
		assertStartupFails(this.runner, "epaccs.http.limits.max-decimal-exponent=-1", "maxDecimalExponent",
				"must be greater than or equal to 0");
	}

	/** The limits as a deployer gets them without configuring any. */
	static HttpProperties.Limits defaultLimits() {
		return new Binder(new MapConfigurationPropertySource()).bindOrCreate("epaccs.http.limits",
				HttpProperties.Limits.class);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(HttpProperties.class)
	static class Properties {

	}

}
