package org.openepaccs.security;

import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every /fhir request but the CapabilityStatement and SMART discovery needs a valid
 * access token; every kind of bad token is a 401 with WWW-Authenticate and an
 * OperationOutcome, never a 500.
 */
@EpaccsIntegrationTest
class AuthenticationIT {

	@LocalServerPort
	int port;

	@Autowired
	EmbeddedIssuerConfig.EmbeddedIssuerKeys issuerKeys;

	@Autowired
	AccessProperties properties;

	FhirHttp anonymous;

	TestTokens tokens;

	@BeforeEach
	void connect() {
		this.anonymous = FhirHttp.anonymous(this.port);
		this.tokens = new TestTokens(this.issuerKeys, this.properties, this.port);
	}

	@Test
	void theCapabilityStatementAndSmartDiscoveryArePublic() throws Exception {
		assertThat(this.anonymous.get("/fhir/metadata").status()).isEqualTo(200);
		for (String path : new String[] { "/.well-known/smart-configuration",
				"/fhir/.well-known/smart-configuration" }) {
			Response discovery = this.anonymous.get(path);
			assertThat(discovery.status()).as(path).isEqualTo(200);
			JsonNode json = new ObjectMapper().readTree(discovery.body());
			assertThat(json.path("token_endpoint").asText()).endsWith("/oauth2/token");
			assertThat(json.path("capabilities").toString()).contains("client-confidential-symmetric",
					"client-confidential-asymmetric", "permission-v1", "permission-v2");
			assertThat(json.path("scopes_supported").toString()).contains("system/*.rs", "patient/*.rs");
		}
	}

	@Test
	void everythingElseNeedsAToken() {
		for (String path : new String[] { "/fhir/Patient", "/fhir/Patient/some-id", "/fhir/Observation?code=x",
				"/fhir/Patient/some-id/_history" }) {
			assertUnauthorized(this.anonymous.get(path), "needs an OAuth2 access token");
		}
		assertUnauthorized(this.anonymous.post("/fhir/Patient", "{\"resourceType\":\"Patient\"}"),
				"needs an OAuth2 access token");
	}

	@Test
	void aTokenFromTheEmbeddedIssuerIsAccepted() throws Exception {
		assertThat(new FhirHttp(this.port).get("/fhir/Patient?_count=1").status()).isEqualTo(200);
		assertThat(withToken(signed(claims().build())).status()).isEqualTo(200);
	}

	@Test
	void aWrongClientSecretGetsNoToken() {
		assertThat(this.anonymous.tokenResponse("gp-system", "not-the-secret", null).status()).isEqualTo(401);
	}

	@Test
	void badTokensAreRefused() throws Exception {
		Instant now = Instant.now();
		Map<String, String> tokens = new java.util.LinkedHashMap<>();
		tokens.put("expired", signed(claims().expirationTime(Date.from(now.minusSeconds(600))).build()));
		tokens.put("not yet valid", signed(claims().notBeforeTime(Date.from(now.plusSeconds(600))).build()));
		tokens.put("wrong issuer", signed(claims().issuer("https://issuer.example.org").build()));
		tokens.put("wrong audience", signed(claims().audience("some-other-server").build()));
		tokens.put("no expiry", signed(claims().expirationTime(null).build()));
		tokens.put("no subject", signed(claims().subject(null).build()));
		tokens.put("signed by another key", signedBy(otherKey(), claims().build()));
		tokens.put("HMAC with the public key", hmacWithPublicKey(claims().build()));
		tokens.put("alg none", unsigned(claims().build()));
		tokens.put("tampered", tampered(signed(claims().build())));
		tokens.put("garbage", "not-a-jwt");
		for (Map.Entry<String, String> token : tokens.entrySet()) {
			Response response = withToken(token.getValue());
			assertThat(response.status()).as(token.getKey() + ": " + response.body()).isEqualTo(401);
			assertThat(response.header("WWW-Authenticate")).as(token.getKey()).startsWith("Bearer");
			assertThat(response.outcome().getIssueFirstRep().getDiagnostics()).as(token.getKey())
				.contains("access token was refused");
		}
	}

	private Response withToken(String token) {
		return this.anonymous.get("/fhir/Patient?_count=1", "Authorization", "Bearer " + token);
	}

	private void assertUnauthorized(Response response, String message) {
		assertThat(response.status()).isEqualTo(401);
		assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
		assertThat(response.header("Content-Type")).startsWith("application/fhir+json");
		assertThat(response.outcome().getIssueFirstRep().getDiagnostics()).contains(message);
	}

	private JWTClaimsSet.Builder claims() {
		return this.tokens.claims();
	}

	private String signed(JWTClaimsSet claims) throws Exception {
		return this.tokens.signed(claims);
	}

	private String signedBy(RSAPrivateKey key, JWTClaimsSet claims) throws Exception {
		return this.tokens.signedBy(key, claims);
	}

	private static RSAPrivateKey otherKey() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		return (RSAPrivateKey) generator.generateKeyPair().getPrivate();
	}

	private String hmacWithPublicKey(JWTClaimsSet claims) throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
		jwt.sign(new MACSigner(this.issuerKeys.publicKey().getEncoded()));
		return jwt.serialize();
	}

	private static String unsigned(JWTClaimsSet claims) {
		Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
		return base64.encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
				+ base64.encodeToString(claims.toString().getBytes()) + ".";
	}

	private static String tampered(String token) {
		String[] parts = token.split("\\.");
		String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("system-integration", "admin");
		return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "."
				+ parts[2];
	}

}
