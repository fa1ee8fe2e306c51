package org.openepaccs.security;

import java.time.Duration;
import java.util.Map;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class LaunchConfigTest {

	@Test
	void aLaunchLifetimeSetTheOldWayRefusesToStartRatherThanBeIgnored() {
		MockEnvironment old = new MockEnvironment().withProperty("epaccs.security.embedded-issuer.launch-lifetime",
				"2m");
		AccessProperties properties = new AccessProperties(true, "epaccs-fhir", null, null, null, java.util.List.of(),
				null, Duration.ofSeconds(60),
				new AccessProperties.Claims("epaccs_role", Map.of(), "epaccs_ods", "sub", "patient", "purpose_of_use",
						"", "selected_roleid"),
				new AccessProperties.EmbeddedIssuer(true, Duration.ofMinutes(15), Map.of(), false),
				Duration.ofMinutes(5));

		assertThatIllegalStateException()
			.isThrownBy(() -> new LaunchConfig().launchContexts(new JdbcDataSource(), properties, old))
			.withMessageContaining("epaccs.security.embedded-issuer.launch-lifetime is no longer read")
			.withMessageContaining("epaccs.security.launch-lifetime");
	}

}
