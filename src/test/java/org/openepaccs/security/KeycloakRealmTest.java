package org.openepaccs.security;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Keycloak realm export in {@code config/keycloak} gives tokens the server accepts
 * with its default claims mapping: the audience it checks, SMART scopes it reads, a role
 * it knows and an organisation, under the claim names {@link AccessProperties.Claims}
 * reads by default; and it holds no secret and no user. (Read as JSON here;
 * {@link KeycloakIssuerIT} imports it into a running Keycloak.)
 */
class KeycloakRealmTest {

	private final JsonNode realm = read();

	private static JsonNode read() {
		try {
			return new ObjectMapper().readTree(Path.of("config", "keycloak", "epaccs-realm.json").toFile());
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static final AccessProperties.Claims DEFAULTS = new AccessProperties.Claims("epaccs_role", null,
			"epaccs_ods", "sub", "patient", "purpose_of_use", "", "selected_roleid");

	@Test
	void theAudienceMapperNamesTheServersDefaultAudienceAndEveryClientGetsIt() {
		JsonNode audience = scope("epaccs-audience").path("protocolMappers").get(0);
		assertThat(audience.path("protocolMapper").asText()).isEqualTo("oidc-audience-mapper");
		assertThat(audience.path("config").path("included.custom.audience").asText()).isEqualTo("epaccs-fhir");
		assertThat(audience.path("config").path("access.token.claim").asText()).isEqualTo("true");
		this.realm.path("clients")
			.forEach((client) -> assertThat(strings(client.path("defaultClientScopes")))
				.as(client.path("clientId").asText())
				.contains("epaccs-audience"));
	}

	@Test
	void everySmartScopeIsAClientScopeInTheTokensScopeClaimThatTheServerUnderstands() {
		List<String> smart = new ArrayList<>();
		this.realm.path("clientScopes").forEach((scope) -> {
			String name = scope.path("name").asText();
			if (name.contains("/") && !name.equals(LaunchContextEndpoint.SCOPE)) {
				smart.add(name);
				assertThat(SmartScope.parse(name)).as(name).isPresent();
				assertThat(scope.path("attributes").path("include.in.token.scope").asText()).as(name).isEqualTo("true");
			}
		});
		assertThat(smart).contains("system/*.rs", "user/*.rs", "patient/*.rs");
		Set<String> known = new java.util.HashSet<>(smart);
		// and the two scopes of the EHR launch: the app's and the clinical system's
		known.addAll(List.of("basic", "epaccs-audience", "epaccs-care-role", LaunchContextEndpoint.LAUNCH_SCOPE,
				LaunchContextEndpoint.SCOPE));
		this.realm.path("clients").forEach((client) -> {
			List<String> assigned = new ArrayList<>(strings(client.path("defaultClientScopes")));
			assigned.addAll(strings(client.path("optionalClientScopes")));
			assertThat(known).as(client.path("clientId").asText()).containsAll(assigned);
		});
	}

	@Test
	void systemClientsCarryAKnownRoleAndAnOdsCodeUnderTheDefaultClaimNames() {
		this.realm.path("clients").forEach((client) -> {
			if (!client.path("serviceAccountsEnabled").asBoolean()) {
				return;
			}
			String role = null;
			String organisation = null;
			for (JsonNode mapper : client.path("protocolMappers")) {
				String claim = mapper.path("config").path("claim.name").asText();
				String value = mapper.path("config").path("claim.value").asText();
				role = claim.equals(DEFAULTS.role()) ? value : role;
				organisation = claim.equals(DEFAULTS.organisation()) ? value : organisation;
			}
			assertThat(Role.fromClaim(role)).as(client.path("clientId").asText()).isPresent();
			assertThat(organisation).as(client.path("clientId").asText()).matches("[A-Z0-9]{3,10}");
		});
	}

	@Test
	void everyClientGetsTheSubjectClaimWhichTheImportDoesNotAddByItself() {
		JsonNode mappers = scope("basic").path("protocolMappers");
		List<String> types = new ArrayList<>();
		mappers.forEach((mapper) -> types.add(mapper.path("protocolMapper").asText()));
		assertThat(types).contains("oidc-sub-mapper");
		this.realm.path("clients")
			.forEach((client) -> assertThat(strings(client.path("defaultClientScopes")))
				.as(client.path("clientId").asText())
				.contains("basic"));
	}

	@Test
	void usersRoleAndOrganisationAreDeclaredInTheUserProfileAndOnlyAnAdminMayEditThem() throws Exception {
		JsonNode profile = new ObjectMapper().readTree(this.realm.path("components")
			.path("org.keycloak.userprofile.UserProfileProvider")
			.get(0)
			.path("config")
			.path("kc.user.profile.config")
			.get(0)
			.asText());
		List<String> declared = new ArrayList<>();
		profile.path("attributes").forEach((attribute) -> {
			String name = attribute.path("name").asText();
			if (name.startsWith("epaccs_")) {
				declared.add(name);
				assertThat(strings(attribute.path("permissions").path("edit"))).as(name).containsExactly("admin");
			}
		});
		assertThat(declared).containsExactlyInAnyOrder(DEFAULTS.role(), DEFAULTS.organisation());
	}

	@Test
	void usersGetTheirRoleAndOrganisationFromAttributesUnderTheDefaultClaimNames() {
		List<String> claims = new ArrayList<>();
		scope("epaccs-care-role").path("protocolMappers")
			.forEach((mapper) -> claims.add(mapper.path("config").path("claim.name").asText()));
		assertThat(claims).containsExactlyInAnyOrder(DEFAULTS.role(), DEFAULTS.organisation());
	}

	@Test
	void theViewerIsAPublicClientThatMustUseS256Pkce() {
		JsonNode viewer = client("epaccs-viewer");
		assertThat(viewer.path("publicClient").asBoolean()).isTrue();
		assertThat(viewer.path("attributes").path("pkce.code.challenge.method").asText()).isEqualTo("S256");
		assertThat(viewer.path("implicitFlowEnabled").asBoolean()).isFalse();
		assertThat(viewer.path("directAccessGrantsEnabled").asBoolean()).isFalse();
	}

	@Test
	void itHoldsNoSecretsAndNoUsers() {
		this.realm.path("clients").forEach((client) -> assertThat(client.has("secret")).isFalse());
		assertThat(this.realm.path("users")).isEmpty();
	}

	private JsonNode scope(String name) {
		for (JsonNode scope : this.realm.path("clientScopes")) {
			if (scope.path("name").asText().equals(name)) {
				return scope;
			}
		}
		throw new AssertionError("no client scope " + name);
	}

	private JsonNode client(String clientId) {
		for (JsonNode client : this.realm.path("clients")) {
			if (client.path("clientId").asText().equals(clientId)) {
				return client;
			}
		}
		throw new AssertionError("no client " + clientId);
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach((value) -> values.add(value.asText()));
		return values;
	}

}
