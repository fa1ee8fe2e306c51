package org.openepaccs.conformance;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Profile validation on write, under {@code epaccs.validation}. Which of our profiles
 * applies to a resource is not configured: it is the package's meaning
 * ({@link DefaultProfiles}).
 *
 * @param enabled {@code false} turns profile validation on write off entirely (the
 * benchmark's "plain HAPI" baseline; never in production). The NHS number check and the
 * record rules stay on.
 */
@ConfigurationProperties("epaccs.validation")
public record ValidationProperties(@DefaultValue("true") boolean enabled) {

}
