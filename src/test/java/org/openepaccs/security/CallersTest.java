package org.openepaccs.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who the caller is, read from tokens shaped as the embedded issuer and NHS CIS2 shape
 * them.
 */
class CallersTest {

	/**
	 * A CIS2 user with two RBAC roles in two organisations (the shape of
	 * {@code nhsid_nrbac_roles}; {@code role_name} left out, as it is not read).
	 */
	private static final List<Map<String, Object>> CIS2_ROLES = List.of(
			Map.of("person_orgid", "555254239107", "person_roleid", "555254240100", "org_code", "Y99901", "role_code",
					"S8000:G8000:R8000"),
			Map.of("person_orgid", "555254239108", "person_roleid", "555254242102", "org_code", "Y99902", "role_code",
					"S8002:G8003:R8008"));

	private final ApplicationContextRunner cis2 = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class)
		.withPropertyValues(
				"epaccs.security.issuer-uri=https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/oidc",
				"epaccs.security.claims.role-entries=nhsid_nrbac_roles",
				"epaccs.security.claims.role-values.R8000=clinician", "epaccs.security.claims.role-values.R8008=admin");

	@Test
	void aCis2UserActsInTheRoleTheySelected() {
		withCallers((callers) -> {
			Caller gp = callers
				.fromToken(token(Map.of("nhsid_nrbac_roles", CIS2_ROLES, "selected_roleid", "555254240100")));
			assertThat(gp.role()).isEqualTo(Role.CLINICIAN);
			assertThat(gp.organisation()).isEqualTo("Y99901");

			Caller agent = callers
				.fromToken(token(Map.of("nhsid_nrbac_roles", CIS2_ROLES, "selected_roleid", "555254242102")));
			assertThat(agent.role()).isEqualTo(Role.ADMIN);
			assertThat(agent.organisation()).isEqualTo("Y99902");
		});
	}

	@Test
	void aSelectedRoleWeDoNotKnowGivesNoRoleNotAnotherOne() {
		List<Map<String, Object>> roles = List.of(CIS2_ROLES.get(0),
				Map.of("person_roleid", "555254243103", "org_code", "Y99903", "role_code", "S0010:G0020:R0260"));
		withCallers((callers) -> assertThat(
				callers.fromToken(token(Map.of("nhsid_nrbac_roles", roles, "selected_roleid", "555254243103"))).role())
			.isNull());
	}

	@Test
	void withoutASelectionTheFirstKnownRoleCounts() {
		withCallers((callers) -> {
			Caller caller = callers.fromToken(token(Map.of("nhsid_nrbac_roles", CIS2_ROLES)));
			assertThat(caller.role()).isEqualTo(Role.CLINICIAN);
			assertThat(caller.organisation()).isEqualTo("Y99901");
		});
	}

	@Test
	void aTokenWithoutRoleEntriesHasNoRole() {
		withCallers((callers) -> assertThat(callers.fromToken(token(Map.of("epaccs_role", "admin"))).role()).isNull());
	}

	@Test
	void theEmbeddedIssuersClaimsAreReadAsTheyAre() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
			.withUserConfiguration(Properties.class)
			.withPropertyValues("epaccs.security.embedded-issuer.enabled=true")
			.run((context) -> {
				Caller caller = new Callers(context.getBean(AccessProperties.class)).fromToken(
						token(Map.of("epaccs_role", "ooh-clinician", "epaccs_ods", "Y99950", "scope", "system/*.rs")));
				assertThat(caller.role()).isEqualTo(Role.OOH_CLINICIAN);
				assertThat(caller.organisation()).isEqualTo("Y99950");
				assertThat(caller.scopes()).hasSize(1);
			});
	}

	private void withCallers(Consumer<Callers> test) {
		this.cis2.run((context) -> {
			assertThat(context).hasNotFailed();
			test.accept(new Callers(context.getBean(AccessProperties.class)));
		});
	}

	private static Jwt token(Map<String, Object> claims) {
		Jwt.Builder builder = Jwt.withTokenValue("t")
			.header("alg", "RS256")
			.subject("555254238106")
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plusSeconds(300));
		claims.forEach(builder::claim);
		return builder.build();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(AccessProperties.class)
	static class Properties {

	}

}
