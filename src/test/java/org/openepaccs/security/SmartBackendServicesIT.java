package org.openepaccs.security;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SMART Backend Services against the embedded issuer of a server published behind a proxy
 * at {@code https://epaccs.example.org/fhir}: a client registered with its JWKS (served
 * by this test, which generates the key pair) gets a token with a signed client
 * assertion, and every bad assertion is refused with {@code invalid_client}. Discovery
 * and tokens name the public address, not the one the test connects to.
 */
class SmartBackendServicesIT {

	private static final String PUBLIC_ROOT = "https://epaccs.example.org";

	private static final String TOKEN_ENDPOINT = PUBLIC_ROOT + "/oauth2/token";

	private static final String CLIENT = "backend-test";

	private static final String KEY_ID = "backend-test-key";

	private static final ObjectMapper json = new ObjectMapper();

	private static KeyPair clientKeys;

	private static HttpServer jwks;

	private static RunningServer server;

	@BeforeAll
	static void start() throws Exception {
		clientKeys = rsaKeyPair();
		byte[] publicJwks = new JWKSet(new RSAKey.Builder((RSAPublicKey) clientKeys.getPublic()).keyID(KEY_ID).build())
			.toString()
			.getBytes(StandardCharsets.UTF_8);
		jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		jwks.createContext("/jwks.json", (exchange) -> {
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, publicJwks.length);
			exchange.getResponseBody().write(publicJwks);
			exchange.close();
		});
		jwks.start();
		String client = "--epaccs.security.embedded-issuer.clients." + CLIENT + ".";
		server = RunningServer.startOnPostgres(TestDatabase.server().createDatabase(),
				"--epaccs.fhir.server-address=" + PUBLIC_ROOT + "/fhir",
				// a demo published behind a proxy: the issuer names a host other than
				// loopback
				"--epaccs.security.embedded-issuer.allow-network=true",
				client + "jwk-set-url=http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json",
				client + "role=system-integration", client + "organisation=Y99901", client + "scopes=system/*.rs");
	}

	@AfterAll
	static void stop() {
		if (server != null) {
			server.close();
		}
		if (jwks != null) {
			jwks.stop(0);
		}
	}

	@Test
	void discoveryAndTheCapabilityStatementNameThePublicAddress() throws Exception {
		for (String path : new String[] { "/.well-known/smart-configuration",
				"/fhir/.well-known/smart-configuration" }) {
			JsonNode discovery = json.readTree(FhirHttp.anonymous(server.port()).get(path).body());
			assertThat(discovery.path("issuer").asText()).isEqualTo(PUBLIC_ROOT);
			assertThat(discovery.path("token_endpoint").asText()).isEqualTo(TOKEN_ENDPOINT);
			assertThat(discovery.path("jwks_uri").asText()).isEqualTo(PUBLIC_ROOT + "/oauth2/jwks");
		}
		CapabilityStatement statement = FhirHttp.anonymous(server.port())
			.get("/fhir/metadata")
			.resource(CapabilityStatement.class);
		assertThat(statement.getRestFirstRep()
			.getSecurity()
			.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris")
			.getExtensionByUrl("token")
			.getValue()
			.primitiveValue()).isEqualTo(TOKEN_ENDPOINT);
	}

	@Test
	void aSignedClientAssertionGetsAnAccessTokenThatWorks() throws Exception {
		Response response = tokenRequest(assertion(validClaims().build()), null);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		String accessToken = json.readTree(response.body()).path("access_token").asText();

		SignedJWT token = SignedJWT.parse(accessToken);
		assertThat(token.getHeader().getType().toString()).isEqualTo("at+jwt");
		assertThat(token.getJWTClaimsSet().getIssuer()).isEqualTo(PUBLIC_ROOT);
		assertThat(token.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo(CLIENT);
		assertThat(token.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("system/*.rs");
		Response search = FhirHttp.anonymous(server.port())
			.get("/fhir/Organization?_count=1", "Authorization", "Bearer " + accessToken);
		assertThat(search.status()).as(search.body()).isEqualTo(200);
	}

	@Test
	void aClientMayNameItselfToo() throws Exception {
		Response response = tokenRequest(assertion(validClaims().build()), CLIENT);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
	}

	@Test
	void aReplayedAssertionIsRefused() throws Exception {
		String assertion = assertion(validClaims().build());
		assertThat(tokenRequest(assertion, null).status()).isEqualTo(200);

		assertInvalidClient(tokenRequest(assertion, null));
		assertInvalidClient(tokenRequest(assertion, CLIENT));
	}

	@Test
	void assertionsThatAreNotTheClientsOwnAndFreshAreRefused() throws Exception {
		Instant now = Instant.now();
		assertInvalidClient(tokenRequest(assertion(rsaKeyPair(), JWSAlgorithm.RS384, validClaims().build()), null));
		assertInvalidClient(tokenRequest(assertion(clientKeys, JWSAlgorithm.RS384,
				validClaims().issueTime(Date.from(now.minusSeconds(900)))
					.expirationTime(Date.from(now.minusSeconds(600)))
					.build()),
				null));
		assertInvalidClient(tokenRequest(assertion(clientKeys, JWSAlgorithm.RS384,
				validClaims().expirationTime(Date.from(now.plusSeconds(3600))).build()), null));
		assertInvalidClient(tokenRequest(assertion(clientKeys, JWSAlgorithm.RS384,
				validClaims().audience("http://localhost:" + server.port() + "/oauth2/token").build()), null));
		assertInvalidClient(
				tokenRequest(assertion(clientKeys, JWSAlgorithm.RS384, validClaims().jwtID(null).build()), null));
		assertInvalidClient(tokenRequest(
				assertion(clientKeys, JWSAlgorithm.RS384, validClaims().issuer("gp-system").build()), null));
		assertInvalidClient(tokenRequest(assertion(clientKeys, JWSAlgorithm.RS256, validClaims().build()), null));
	}

	@Test
	void aMalformedAssertionIsABadRequest() {
		Response response = tokenRequest("not-a-jwt", null);
		assertThat(response.status()).as(response.body()).isEqualTo(400);
		assertThat(response.body()).contains("\"error\":\"invalid_request\"");
	}

	@Test
	void secretsStillWorkAndTheirTokensNameThePublicIssuer() throws Exception {
		String token = FhirHttp.as(server.port(), "gp-system").accessToken();
		assertThat(SignedJWT.parse(token).getJWTClaimsSet().getIssuer()).isEqualTo(PUBLIC_ROOT);
		assertThat(FhirHttp.as(server.port(), "gp-system").get("/fhir/Organization?_count=1").status()).isEqualTo(200);
	}

	private static void assertInvalidClient(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(401);
		assertThat(response.body()).contains("\"error\":\"invalid_client\"");
	}

	private static JWTClaimsSet.Builder validClaims() {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(CLIENT)
			.subject(CLIENT)
			.audience(TOKEN_ENDPOINT)
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(240)))
			.jwtID(UUID.randomUUID().toString());
	}

	private static String assertion(JWTClaimsSet claims) throws Exception {
		return assertion(clientKeys, JWSAlgorithm.RS384, claims);
	}

	private static String assertion(KeyPair keys, JWSAlgorithm algorithm, JWTClaimsSet claims) throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(KEY_ID).type(JOSEObjectType.JWT).build(),
				claims);
		jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
		return jwt.serialize();
	}

	private static Response tokenRequest(String assertion, String clientId) {
		String form = "grant_type=client_credentials&scope=" + encode("system/*.rs") + "&client_assertion_type="
				+ encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") + "&client_assertion="
				+ encode(assertion) + ((clientId != null) ? "&client_id=" + clientId : "");
		return FhirHttp.anonymous(server.port()).tokenResponse(form);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static KeyPair rsaKeyPair() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		return generator.generateKeyPair();
	}

}
