package org.openepaccs.conformance;

import java.util.Map;
import java.util.Set;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Profile validation on write, under {@code epaccs.validation}.
 *
 * @param enabled {@code false} turns profile validation on write off entirely (the
 * benchmark's "plain HAPI" baseline; never in production). The NHS number check and the
 * record rules stay on.
 * @param defaultProfiles resource type → canonical URL of one of our profiles: a resource
 * of that type that declares none of our profiles in {@code meta.profile} is validated
 * against this one; an empty value switches the default off for that type
 * @param selectByCode resource types (with several profiles, told apart by code) whose
 * resources without a declared profile are validated against the profile whose required
 * {@code code} value set contains their code; a code in none of them means no profile
 */
@Validated
@ConfigurationProperties("epaccs.validation")
public record ValidationProperties(@DefaultValue("true") boolean enabled, @NotNull Map<String, String> defaultProfiles,
		@DefaultValue( {
				"Observation", "Flag" }) @NotNull Set<String> selectByCode){

	public ValidationProperties {
		defaultProfiles = (defaultProfiles != null) ? Map.copyOf(defaultProfiles) : Map.of();
	}

	@AssertTrue(message = "default-profiles values must be canonical URLs of this server's profiles "
			+ "(https://fhir.openepaccs.org/StructureDefinition/...) or empty")
	public boolean isEveryDefaultProfileOurs() {
		return this.defaultProfiles.values()
			.stream()
			.allMatch((url) -> url.isEmpty() || ConformancePackage.isOurs(url));
	}

}
