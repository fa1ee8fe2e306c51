package org.openepaccs.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestSecurityComponent;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SMART discovery, the CapabilityStatement's security and the embedded issuer's tokens,
 * on a server with no public base URL on a random port: one issuer,
 * {@code http://localhost:<that port>}, whatever address a client uses.
 */
@EpaccsIntegrationTest
class SmartDiscoveryIT {

	@LocalServerPort
	int port;

	private final ObjectMapper json = new ObjectMapper();

	@Test
	void discoveryNamesTheIssuerOnThePortTheServerListensOnWhateverAddressIsAsked() throws Exception {
		String issuer = "http://localhost:" + this.port;
		for (String root : List.of("http://localhost:" + this.port, "http://127.0.0.1:" + this.port)) {
			for (String path : List.of("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration")) {
				Response response = FhirHttp.at(root, null).get(path);
				assertThat(response.status()).as(root + path).isEqualTo(200);
				assertThat(response.header("Content-Type")).startsWith("application/json");
				JsonNode discovery = this.json.readTree(response.body());

				assertThat(discovery.path("issuer").asText()).as(root + path).isEqualTo(issuer);
				assertThat(discovery.path("token_endpoint").asText()).isEqualTo(issuer + "/oauth2/token");
				assertThat(discovery.path("jwks_uri").asText()).isEqualTo(issuer + "/oauth2/jwks");
				assertThat(discovery.path("authorization_endpoint").asText()).isEqualTo(issuer + "/oauth2/authorize");
				assertThat(strings(discovery.path("grant_types_supported")))
					.containsExactlyInAnyOrder("authorization_code", "client_credentials", "refresh_token");
				assertThat(strings(discovery.path("code_challenge_methods_supported"))).containsExactly("S256");
				assertThat(strings(discovery.path("token_endpoint_auth_methods_supported")))
					.containsExactlyInAnyOrder("client_secret_basic", "client_secret_post", "private_key_jwt");
				assertThat(strings(discovery.path("token_endpoint_auth_signing_alg_values_supported")))
					.containsExactly("RS384");
				assertThat(strings(discovery.path("capabilities")))
					.contains("client-confidential-symmetric", "client-confidential-asymmetric", "permission-v1",
							"permission-v2", "permission-patient", "permission-user", "launch-ehr", "launch-standalone",
							"client-public", "context-ehr-patient", "context-standalone-patient")
					// no ID token, no Practitioner for the demo users
					.doesNotContain("sso-openid-connect");
				assertThat(strings(discovery.path("scopes_supported")))
					.contains("system/*.rs", "user/*.cruds", "patient/*.rs", "launch", "launch/patient")
					.doesNotContain("openid", "fhirUser");
			}
		}
	}

	@Test
	void theCapabilityStatementSaysSmartOnFhirAndWhereTheTokenEndpointIs() {
		Response response = FhirHttp.anonymous(this.port).get("/fhir/metadata");
		assertThat(response.status()).isEqualTo(200);
		CapabilityStatementRestSecurityComponent security = response.resource(CapabilityStatement.class)
			.getRestFirstRep()
			.getSecurity();

		assertThat(security.getService())
			.anySatisfy((service) -> assertThat(service.getCoding()).anySatisfy((coding) -> {
				assertThat(coding.getSystem())
					.isEqualTo("http://terminology.hl7.org/CodeSystem/restful-security-service");
				assertThat(coding.getCode()).isEqualTo("SMART-on-FHIR");
			}));
		Extension oauthUris = security
			.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
		assertThat(oauthUris).isNotNull();
		assertThat(oauthUris.getExtensionByUrl("token").getValue().primitiveValue())
			.isEqualTo("http://localhost:" + this.port + "/oauth2/token");
		assertThat(oauthUris.getExtensionByUrl("authorize").getValue().primitiveValue())
			.isEqualTo("http://localhost:" + this.port + "/oauth2/authorize");
	}

	@Test
	void accessTokensFollowRfc9068() throws Exception {
		String first = FhirHttp.as(this.port, "spoc-hub").accessToken();
		String second = FhirHttp.as(this.port, "spoc-hub").accessToken();

		SignedJWT token = SignedJWT.parse(first);
		assertThat(token.getHeader().getType().toString()).isEqualTo("at+jwt");
		JWTClaimsSet claims = token.getJWTClaimsSet();
		assertThat(claims.getIssuer()).isEqualTo("http://localhost:" + this.port);
		assertThat(claims.getSubject()).isEqualTo("spoc-hub");
		assertThat(claims.getStringClaim("client_id")).isEqualTo("spoc-hub");
		assertThat(claims.getAudience()).contains("epaccs-fhir");
		assertThat(claims.getIssueTime()).isNotNull();
		// the demo clients' configured lifetime, 15 minutes
		assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
			.isEqualTo(Duration.ofMinutes(15));
		assertThat(claims.getJWTID()).isNotBlank().isNotEqualTo(SignedJWT.parse(second).getJWTClaimsSet().getJWTID());
		assertThat(claims.getStringClaim("scope").split(" ")).containsExactlyInAnyOrder("user/*.rs", "user/*.read");
	}

	@Test
	void aTokenFetchedThroughOneAddressIsAcceptedThroughAnother() throws Exception {
		String token = FhirHttp.at("http://127.0.0.1:" + this.port, "spoc-hub").accessToken();
		assertThat(SignedJWT.parse(token).getJWTClaimsSet().getIssuer()).isEqualTo("http://localhost:" + this.port);

		Response search = FhirHttp.anonymous(this.port)
			.get("/fhir/Organization?_count=1", "Authorization", "Bearer " + token);
		assertThat(search.status()).as(search.body()).isEqualTo(200);
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach((value) -> values.add(value.asText()));
		return values;
	}

}
