package org.openepaccs.security;

import java.util.Set;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Refuses a start whose access settings cannot work (no issuer, or two; the demo issuer
 * outside the demo profile or on the network; a setting no longer read) as soon as the
 * configuration is read, in a second or two, rather than after the database schema and
 * HAPI have started, where the same checks stop it too (they stay authoritative: this one
 * is only earlier). Registered in {@code META-INF/spring.factories}, so it sees every
 * Spring Boot application on the class path; it checks only this server's, named in its
 * {@code application.yaml}, after every configuration file and profile has been read.
 */
public class StartupSettingsCheck implements EnvironmentPostProcessor, Ordered {

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!"epaccs".equals(environment.getProperty("spring.application.name"))) {
			return;
		}
		AccessProperties properties = Binder.get(environment).bindOrCreate("epaccs.security", AccessProperties.class);
		Set<ConstraintViolation<AccessProperties>> violations;
		try (ValidatorFactory validation = Validation.buildDefaultValidatorFactory()) {
			violations = validation.getValidator().validate(properties);
		}
		if (!violations.isEmpty()) {
			throw new IllegalStateException("epaccs.security: " + violations.stream()
				.map((violation) -> violation.getPropertyPath() + ": " + violation.getMessage())
				.sorted()
				.collect(Collectors.joining("; ")));
		}
		EmbeddedIssuerConfig.refuseUnsafe(properties, environment, environment.getProperty("server.address", ""),
				environment.getProperty("epaccs.fhir.server-address", ""));
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
