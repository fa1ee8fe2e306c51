package org.openepaccs.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openepaccs.testsupport.Browsers;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.Jdks;
import org.openepaccs.testsupport.ServerProcess;
import org.openepaccs.testsupport.TestDatabase;
import org.openepaccs.testsupport.UnderCi;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server trusting a real Keycloak (the distribution from Maven Central, in dev mode)
 * that has imported {@code config/keycloak/epaccs-realm.json} as it is, as docs/access.md
 * tells a deployer to: the realm's backend clients and a user signed in at Keycloak get
 * tokens the server accepts, their role and ODS code reach what the server records and
 * decides, and tokens of another realm or for another audience are refused. Keycloak
 * needs Java 21+: a JDK under {@code /usr/lib/jvm} or {@code KEYCLOAK_JAVA_HOME}, for its
 * process only. The user and the clients made for the test are made through Keycloak's
 * admin REST API, never in the realm file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeycloakIssuerIT {

	private static final Duration KEYCLOAK_START_UP = Duration.ofMinutes(4);

	private static final Duration SERVER_START_UP = Duration.ofMinutes(6);

	private static final String REALM = "epaccs";

	private static final ObjectMapper json = new ObjectMapper();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String adminUser = "it-admin";

	// generated per run: nothing to commit, nothing to guess
	private final String adminPassword = UUID.randomUUID().toString();

	private Process keycloak;

	private String keycloakRoot;

	private ServerProcess server;

	private FhirHttp fhir;

	private String userPassword;

	@BeforeAll
	void keycloakWithTheRealmAndTheServerTrustingIt() throws Exception {
		Path home = keycloakHome();
		Path java = Jdks.atLeast(21, "KEYCLOAK_JAVA_HOME", "Keycloak 26");
		Path imports = Files.createDirectories(home.resolve("data").resolve("import"));
		try (Stream<Path> old = Files.list(imports)) {
			for (Path file : old.toList()) {
				Files.delete(file);
			}
		}
		Files.copy(Path.of("config", "keycloak", "epaccs-realm.json"), imports.resolve("epaccs-realm.json"));
		int port = freePort();
		this.keycloakRoot = "http://localhost:" + port;
		Path log = Files.createDirectories(Path.of("target", "servers")).resolve("keycloak.log");
		ProcessBuilder builder = new ProcessBuilder(home.resolve("bin").resolve("kc.sh").toString(), "start-dev",
				"--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + freePort(),
				"--hostname=" + this.keycloakRoot,
				// a database in memory: every run imports the realm file afresh
				"--db=dev-mem", "--import-realm")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().put("JAVA_HOME", java.toString());
		builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", this.adminUser);
		builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", this.adminPassword);
		this.keycloak = builder.start();
		Runtime.getRuntime().addShutdownHook(new Thread(this::stopKeycloak));

		// both start at once; the server looks the issuer's keys up on first use
		String issuer = this.keycloakRoot + "/realms/" + REALM;
		this.server = ServerProcess.startWithProfiles("keycloak-issuer", "postgres",
				TestDatabase.server().createDatabase(), "--server.address=127.0.0.1",
				"--epaccs.security.issuer-uri=" + issuer,
				"--epaccs.security.token-endpoint=" + issuer + "/protocol/openid-connect/token",
				"--epaccs.security.token-endpoint-auth-methods=client_secret_basic,private_key_jwt",
				"--epaccs.security.authorization-endpoint=" + issuer + "/protocol/openid-connect/auth");
		awaitKeycloak(log);
		this.server.awaitReady(SERVER_START_UP);
		this.fhir = FhirHttp.at("http://localhost:" + this.server.port(), null);
		addTheTestsClientsAndUser();
	}

	@AfterAll
	void stop() throws InterruptedException {
		if (this.server != null) {
			this.server.close();
		}
		stopKeycloak();
	}

	@Test
	void aBackendSystemsTokenWritesAndReadsAndItsOrganisationIsOnTheRecordOfTheChange() {
		String token = clientCredentials("gp-system", secret("gp-system"));

		Response created = this.fhir.post("/fhir/Patient", patient("Keycloak-System"), bearer(token));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String id = created.resource(Patient.class).getIdElement().toUnqualifiedVersionless().getValue();
		Response read = this.fhir.get("/fhir/" + id, bearer(token));
		assertThat(read.status()).as(read.body()).isEqualTo(200);

		Provenance change = onlyProvenanceOf(id, token);
		assertThat(change.getAgentFirstRep().getRoleFirstRep().getText()).isEqualTo("system-integration");
		assertThat(change.getAgentFirstRep().getOnBehalfOf().getIdentifier().getValue()).isEqualTo("Y99901");
		assertThat(change.getAgentFirstRep().getWho().getIdentifier().getValue())
			.isEqualTo(serviceAccountId("gp-system"));
	}

	@Test
	void aClinicianSignedInAtKeycloakWritesAsAClinicianOfTheirOrganisationAndMayNotDelete() {
		String token = userToken("gp.doctor");

		Response created = this.fhir.post("/fhir/Patient", patient("Keycloak-User"), bearer(token));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String id = created.resource(Patient.class).getIdElement().toUnqualifiedVersionless().getValue();

		Provenance change = onlyProvenanceOf(id, token);
		assertThat(change.getAgentFirstRep().getRoleFirstRep().getText()).isEqualTo("clinician");
		assertThat(change.getAgentFirstRep().getOnBehalfOf().getIdentifier().getValue()).isEqualTo("Y99901");
		assertThat(change.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo(userId("gp.doctor"));

		Response deleted = this.fhir.send("DELETE", "/fhir/" + id, null, bearer(token));
		assertThat(deleted.status()).as(deleted.body()).isEqualTo(403);
		assertThat(deleted.diagnostics()).contains("clinician");
	}

	@Test
	void aUserCannotGiveThemselvesAnotherRoleAtKeycloak() throws Exception {
		String token = accountToken("gp.doctor");
		HttpResponse<String> account = send(
				HttpRequest.newBuilder(URI.create(this.keycloakRoot + "/realms/" + REALM + "/account"))
					.header("Authorization", "Bearer " + token)
					.header("Accept", "application/json"));
		assertThat(account.statusCode()).as(account.body()).isEqualTo(200);
		JsonNode me = json.readTree(account.body());
		((ObjectNode) me.path("attributes")).set("epaccs_role", json.createArrayNode().add("admin"));

		HttpResponse<String> edit = send(
				HttpRequest.newBuilder(URI.create(this.keycloakRoot + "/realms/" + REALM + "/account"))
					.header("Authorization", "Bearer " + token)
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString(me.toString())));

		assertThat(claims(userToken("gp.doctor")).path("epaccs_role").asText())
			.as(edit.statusCode() + " " + edit.body())
			.isEqualTo("clinician");
		assertThat(edit.statusCode()).isEqualTo(400);
		assertThat(edit.body()).contains("error-user-attribute-read-only");
	}

	@Test
	void aRoleThatMayNotReadRecordsIsRefusedWithTheReason() {
		String token = clientCredentials("icb-analyst", secret("icb-analyst"));

		Response search = this.fhir.get("/fhir/Patient", bearer(token));

		assertThat(search.status()).as(search.body()).isEqualTo(403);
		assertThat(search.diagnostics()).contains("icb-analyst");
	}

	@Test
	void aClientWithoutTheSmartScopeIsRefusedWithTheScopesNeeded() {
		String token = clientCredentials("it-no-smart-scope", "it-no-smart-scope-secret");
		assertThat(claims(token).path("epaccs_role").asText()).isEqualTo("system-integration");

		Response search = this.fhir.get("/fhir/Patient", bearer(token));

		assertThat(search.status()).as(search.body()).isEqualTo(403);
		assertThat(search.diagnostics()).contains("Patient");
	}

	@Test
	void aTokenForAnotherAudienceIsRefused() {
		String token = clientCredentials("it-other-audience", "it-other-audience-secret");
		assertThat(claims(token).path("scope").asText()).contains("system/*.cruds");

		Response search = this.fhir.get("/fhir/Patient", bearer(token));

		assertThat(search.status()).as(search.body()).isEqualTo(401);
		assertThat(search.header("WWW-Authenticate")).contains("invalid_token");
		assertThat(search.diagnostics()).contains("not for this server");
	}

	@Test
	void aUserTokenWithoutTheSubjectIsRefused() {
		String token = token("/realms/" + REALM,
				"grant_type=password&username=gp.doctor&password=" + encode(this.userPassword),
				"it-no-subject:it-no-subject-secret");
		assertThat(claims(token).has("sub")).isFalse();

		Response search = this.fhir.get("/fhir/Patient", bearer(token));

		assertThat(search.status()).as(search.body()).isEqualTo(401);
		assertThat(search.header("WWW-Authenticate")).contains("invalid_token");
		assertThat(search.diagnostics()).contains("names no user");
	}

	@Test
	void aTokenOfKeycloaksMasterRealmIsRefused() {
		Response search = this.fhir.get("/fhir/Patient", bearer(adminToken()));

		assertThat(search.status()).as(search.body()).isEqualTo(401);
		assertThat(search.header("WWW-Authenticate")).contains("invalid_token");
	}

	@Test
	void smartDiscoveryAdvertisesKeycloaksTokenEndpoint() throws IOException {
		Response discovery = this.fhir.get("/fhir/.well-known/smart-configuration");

		assertThat(discovery.status()).as(discovery.body()).isEqualTo(200);
		JsonNode smart = json.readTree(discovery.body());
		assertThat(smart.path("issuer").asText()).isEqualTo(this.keycloakRoot + "/realms/" + REALM);
		assertThat(smart.path("token_endpoint").asText())
			.isEqualTo(this.keycloakRoot + "/realms/" + REALM + "/protocol/openid-connect/token");
		assertThat(smart.path("authorization_endpoint").asText())
			.isEqualTo(this.keycloakRoot + "/realms/" + REALM + "/protocol/openid-connect/auth");
		assertThat(strings(smart.path("grant_types_supported"))).contains("authorization_code");
		assertThat(strings(smart.path("scopes_supported"))).contains("launch");
		// Keycloak's token response has no patient: no launch capability is claimed
		assertThat(strings(smart.path("capabilities"))).doesNotContain("launch-ehr", "context-ehr-patient");
	}

	@Test
	void anEhrLaunchIsRedeemedOnceByTheClinicianSignedInAtKeycloakWhoThenReadsThePlan() {
		String ehr = ehrToken();
		String patient = storedPatient(ehr, "Keycloak-Launch");
		String launch = startLaunch(ehr, patient);
		String clinician = userToken("gp.doctor");
		assertThat(claims(clinician).path("scope").asText()).contains("launch");

		Response context = redeem(clinician, launch);
		assertThat(context.status()).as(context.body()).isEqualTo(200);
		assertThat(read(context.body()).path("patient").asText()).isEqualTo(patient);
		Response again = redeem(clinician, launch);
		assertThat(again.status()).as(again.body()).isEqualTo(400);
		assertThat(read(again.body()).path("error_description").asText()).contains("already been used");
		Response plan = this.fhir.get("/fhir/Patient/" + patient + "/$epaccs-summary", bearer(clinician));
		assertThat(plan.status()).as(plan.body()).isEqualTo(200);

		// a system's token is no clinician's: it cannot take a launch's patient
		Response bySystem = redeem(ehr, startLaunch(ehr, patient));
		assertThat(bySystem.status()).as(bySystem.body()).isEqualTo(403);
		// and a clinician's token cannot start a launch
		Response byUser = this.fhir.post("/oauth2/launch", "patient=" + patient,
				withBearer(clinician, "Content-Type", "application/x-www-form-urlencoded"));
		assertThat(byUser.status()).as(byUser.body()).isEqualTo(403);
	}

	@Test
	void theViewerLaunchedFromAnEhrSignsTheClinicianInAtKeycloakAndShowsTheCprDecision() {
		String ehr = ehrToken();
		String patient = storedPatient(ehr, "Keycloak-Viewer");
		Flag decision = Examples.cprDecisionFor("Patient/" + patient);
		Response stored = this.fhir.post("/fhir/Flag", FhirHttp.json(decision), bearer(ehr));
		assertThat(stored.status()).as(stored.body()).isEqualTo(201);
		String viewer = "http://127.0.0.1:" + this.server.port() + "/viewer/";
		// what a deployer registers for the realm's viewer: its address, and that address
		// as the origin allowed to call Keycloak's token endpoint
		ObjectNode client = (ObjectNode) admin("GET", "/clients/" + clientUuid("epaccs-viewer"), null);
		client.putArray("redirectUris").add(viewer);
		admin("PUT", "/clients/" + clientUuid("epaccs-viewer"), client);

		WebDriver browser = Browsers.headlessChromium();
		try {
			browser.get(viewer + "?iss=" + encode("http://127.0.0.1:" + this.server.port() + "/fhir") + "&launch="
					+ startLaunch(ehr, patient));
			WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("gp.doctor");
			browser.findElement(By.id("password")).sendKeys(this.userPassword);
			Browsers.screenshot(browser, "KeycloakIssuerIT-sign-in");
			browser.findElement(By.id("kc-login")).click();
			// Keycloak asks the clinician to allow the viewer the first time (consent
			// required, as the realm has it)
			wait.until(ExpectedConditions.or(ExpectedConditions.visibilityOfElementLocated(By.id("plan")),
					ExpectedConditions.visibilityOfElementLocated(By.id("kc-login")),
					ExpectedConditions.visibilityOfElementLocated(By.id("problem"))));
			if (!browser.findElements(By.id("kc-login")).isEmpty()) {
				Browsers.screenshot(browser, "KeycloakIssuerIT-consent");
				browser.findElement(By.id("kc-login")).click();
			}
			wait.until(ExpectedConditions.or(ExpectedConditions.visibilityOfElementLocated(By.id("plan")),
					ExpectedConditions.visibilityOfElementLocated(By.id("problem"))));
			Browsers.screenshot(browser, "KeycloakIssuerIT-plan");
			assertThat(browser.findElement(By.id("plan")).isDisplayed())
				.as(browser.findElement(By.tagName("body")).getText())
				.isTrue();
			assertThat(browser.findElement(By.id("sections")).getText())
				.contains("CPR decision: " + decision.getCode().getText());
			assertThat(browser.getCurrentUrl()).isEqualTo(viewer);
		}
		finally {
			browser.quit();
		}
	}

	/** The GP system's token, which may start launches and write records. */
	private String ehrToken() {
		return token("/realms/" + REALM, "grant_type=client_credentials&scope=epaccs/launch-context",
				"gp-system:" + secret("gp-system"));
	}

	private String storedPatient(String token, String family) {
		return this.fhir.post("/fhir/Patient", patient(family), bearer(token)).resource(Patient.class).getIdPart();
	}

	private String startLaunch(String ehrToken, String patient) {
		Response launch = this.fhir.post("/oauth2/launch", "patient=" + patient,
				withBearer(ehrToken, "Content-Type", "application/x-www-form-urlencoded"));
		assertThat(launch.status()).as(launch.body()).isEqualTo(201);
		return read(launch.body()).path("launch").asText();
	}

	private Response redeem(String token, String launch) {
		return this.fhir.post("/oauth2/launch/context", "launch=" + encode(launch),
				withBearer(token, "Content-Type", "application/x-www-form-urlencoded"));
	}

	// --- Keycloak

	private static Path keycloakHome() {
		String home = System.getProperty("keycloak.home");
		Path kc = (home != null) ? Path.of(home, "bin", "kc.sh") : null;
		UnderCi.require(kc != null && Files.isExecutable(kc),
				"No Keycloak distribution at " + home + " (the build unpacks org.keycloak:keycloak-quarkus-dist there "
						+ "in pre-integration-test: run ./mvnw verify)");
		return Path.of(home);
	}

	private void awaitKeycloak(Path log) {
		try {
			Awaitility.await("Keycloak serving realm " + REALM)
				.atMost(KEYCLOAK_START_UP)
				.pollInterval(Duration.ofMillis(500))
				.until(() -> {
					if (!this.keycloak.isAlive()) {
						throw new IllegalStateException("Keycloak stopped while starting (exit "
								+ this.keycloak.exitValue() + "); see " + log.toAbsolutePath());
					}
					try {
						return send(HttpRequest.newBuilder(URI
							.create(this.keycloakRoot + "/realms/" + REALM + "/.well-known/openid-configuration")))
							.statusCode() == 200;
					}
					catch (UncheckedIOException notYet) {
						return false;
					}
				});
		}
		catch (ConditionTimeoutException ex) {
			throw new IllegalStateException(
					"Keycloak not serving realm " + REALM + " within " + KEYCLOAK_START_UP + "; see " + log, ex);
		}
	}

	private void stopKeycloak() {
		if (this.keycloak == null) {
			return;
		}
		List<ProcessHandle> tree = new ArrayList<>(this.keycloak.descendants().toList());
		tree.add(this.keycloak.toHandle());
		tree.forEach(ProcessHandle::destroy);
		try {
			if (!this.keycloak.waitFor(30, TimeUnit.SECONDS)) {
				tree.forEach(ProcessHandle::destroyForcibly);
				this.keycloak.waitFor(30, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			tree.forEach(ProcessHandle::destroyForcibly);
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * What a deployer adds by hand after importing the realm, and what only the test
	 * needs: a user with the two attributes the realm's user profile declares, a
	 * confidential client allowed the password grant so that the test can sign the user
	 * in without a browser (the realm's viewer uses the authorization code flow), a
	 * backend client without a SMART scope and one without the audience.
	 */
	private void addTheTestsClientsAndUser() {
		this.userPassword = UUID.randomUUID().toString();
		admin("POST", "/users",
				Map.of("username", "gp.doctor", "enabled", true, "firstName", "Grace", "lastName", "Patel", "email",
						"gp.doctor@example.org", "emailVerified", true, "attributes",
						Map.of("epaccs_role", List.of("clinician"), "epaccs_ods", List.of("Y99901")), "credentials",
						List.of(Map.of("type", "password", "value", this.userPassword, "temporary", false))));
		admin("POST", "/clients",
				Map.of("clientId", "it-signed-in-user", "publicClient", false, "secret", "it-signed-in-user-secret",
						"standardFlowEnabled", false, "directAccessGrantsEnabled", true, "fullScopeAllowed", false,
						"defaultClientScopes",
						List.of("basic", "epaccs-audience", "epaccs-care-role", "user/*.cruds", "launch")));
		// the account console's own audience and role, for the user's attempt to edit
		// their attributes
		admin("POST", "/clients",
				Map.of("clientId", "it-account", "publicClient", false, "secret", "it-account-secret",
						"standardFlowEnabled", false, "directAccessGrantsEnabled", true, "fullScopeAllowed", true,
						"defaultClientScopes", List.of("basic"), "protocolMappers",
						List.of(Map.of("name", "account audience", "protocol", "openid-connect", "protocolMapper",
								"oidc-audience-mapper", "config",
								Map.of("included.client.audience", "account", "access.token.claim", "true")),
								Map.of("name", "account roles", "protocol", "openid-connect", "protocolMapper",
										"oidc-usermodel-client-role-mapper", "config",
										Map.of("usermodel.clientRoleMapping.clientId", "account", "claim.name",
												"resource_access.${client_id}.roles", "multivalued", "true",
												"jsonType.label", "String", "access.token.claim", "true")))));
		// as the realm's user clients were before they had the basic scope
		admin("POST", "/clients",
				Map.of("clientId", "it-no-subject", "publicClient", false, "secret", "it-no-subject-secret",
						"standardFlowEnabled", false, "directAccessGrantsEnabled", true, "fullScopeAllowed", false,
						"defaultClientScopes", List.of("epaccs-audience", "epaccs-care-role", "user/*.cruds")));
		admin("POST", "/clients", backendClient("it-no-smart-scope", List.of("basic", "epaccs-audience")));
		admin("POST", "/clients", backendClient("it-other-audience", List.of("basic", "system/*.cruds")));
	}

	private static Map<String, Object> backendClient(String clientId, List<String> scopes) {
		return Map.of("clientId", clientId, "publicClient", false, "secret", clientId + "-secret",
				"serviceAccountsEnabled", true, "standardFlowEnabled", false, "fullScopeAllowed", false,
				"defaultClientScopes", scopes, "protocolMappers",
				List.of(hardcoded("epaccs_role", "system-integration"), hardcoded("epaccs_ods", "Y99901")));
	}

	private static Map<String, Object> hardcoded(String claim, String value) {
		return Map.of("name", claim, "protocol", "openid-connect", "protocolMapper", "oidc-hardcoded-claim-mapper",
				"config", Map.of("claim.name", claim, "claim.value", value, "jsonType.label", "String",
						"access.token.claim", "true"));
	}

	private String adminToken() {
		return token("/realms/master", "grant_type=password&client_id=admin-cli&username=" + this.adminUser
				+ "&password=" + encode(this.adminPassword), null);
	}

	private String clientCredentials(String clientId, String secret) {
		return token("/realms/" + REALM, "grant_type=client_credentials", clientId + ":" + secret);
	}

	private String userToken(String username) {
		return token("/realms/" + REALM,
				"grant_type=password&username=" + encode(username) + "&password=" + encode(this.userPassword),
				"it-signed-in-user:it-signed-in-user-secret");
	}

	private String accountToken(String username) {
		return token("/realms/" + REALM,
				"grant_type=password&username=" + encode(username) + "&password=" + encode(this.userPassword),
				"it-account:it-account-secret");
	}

	private String token(String realm, String form, String basic) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create(this.keycloakRoot + realm + "/protocol/openid-connect/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form));
		if (basic != null) {
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
		}
		HttpResponse<String> response = send(request);
		assertThat(response.statusCode()).as("token from " + realm + ": " + response.body()).isEqualTo(200);
		return read(response.body()).path("access_token").asText();
	}

	private String secret(String clientId) {
		return admin("GET", "/clients/" + clientUuid(clientId) + "/client-secret", null).path("value").asText();
	}

	private String clientUuid(String clientId) {
		return admin("GET", "/clients?clientId=" + encode(clientId), null).path(0).path("id").asText();
	}

	private String serviceAccountId(String clientId) {
		return admin("GET", "/clients/" + clientUuid(clientId) + "/service-account-user", null).path("id").asText();
	}

	private String userId(String username) {
		return admin("GET", "/users?exact=true&username=" + encode(username), null).path(0).path("id").asText();
	}

	/** A call to the realm's admin REST API as the bootstrap admin. */
	private JsonNode admin(String method, String path, Object body) {
		try {
			HttpResponse<String> response = send(HttpRequest
				.newBuilder(URI.create(this.keycloakRoot + "/admin/realms/" + REALM + path))
				.header("Authorization", "Bearer " + adminToken())
				.header("Content-Type", "application/json")
				.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))
						: HttpRequest.BodyPublishers.noBody()));
			assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
			return response.body().isEmpty() ? json.createObjectNode() : read(response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.http.send(request.timeout(Duration.ofSeconds(30)).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	// --- the server

	private Provenance onlyProvenanceOf(String patient, String token) {
		Response search = this.fhir.get("/fhir/Provenance?target=" + patient, bearer(token));
		assertThat(search.status()).as(search.body()).isEqualTo(200);
		List<Bundle.BundleEntryComponent> entries = search.resource(Bundle.class).getEntry();
		assertThat(entries).hasSize(1);
		return (Provenance) entries.get(0).getResource();
	}

	private static String patient(String family) {
		return FhirHttp.json(new Patient().addName(new HumanName().setFamily(family)));
	}

	private static String[] bearer(String token) {
		return new String[] { "Authorization", "Bearer " + token };
	}

	private static String[] withBearer(String token, String... headers) {
		List<String> all = new ArrayList<>(List.of(bearer(token)));
		all.addAll(List.of(headers));
		return all.toArray(String[]::new);
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach((value) -> values.add(value.asText()));
		return values;
	}

	private static JsonNode claims(String token) {
		return read(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
	}

	private static JsonNode read(String body) {
		try {
			return json.readTree(body);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static int freePort() throws IOException {
		try (ServerSocket free = new ServerSocket(0)) {
			return free.getLocalPort();
		}
	}

}
