package org.openepaccs.security;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.AppLaunch;
import org.openepaccs.testsupport.AppLaunch.Pkce;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SMART App Launch's refusals: each wrong step gets the OAuth error a client library
 * understands (RFC 6749: a JSON error from the token endpoint, an error redirect from the
 * authorization endpoint once the redirect URI is known good, a plain 400 when it is
 * not), never a 500, never a code or a token.
 */
@EpaccsIntegrationTest
class SmartAppLaunchRefusalsIT {

	static final String APP_REDIRECT = "http://127.0.0.1:9/demo-app/callback";

	@LocalServerPort
	int port;

	AppLaunch browser;

	String patient;

	@BeforeEach
	void aPatientIsStored() {
		this.browser = new AppLaunch("http://localhost:" + this.port);
		this.patient = new FhirHttp(this.port).post("/fhir/Patient", FhirHttp.json(new Patient()))
			.resource(Patient.class)
			.getIdPart();
	}

	String launchId() throws Exception {
		Response response = FhirHttp.as(this.port, "ehr-launcher")
			.post("/oauth2/launch", "patient=" + this.patient, "Content-Type", "application/x-www-form-urlencoded");
		return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("launch").asText();
	}

	/** A signed-in user's code for the public demo app, with this PKCE pair. */
	String code(Pkce pkce, String launch) {
		String back = this.browser.authorize(
				AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT, "launch patient/*.rs", "s", pkce, launch),
				"ooh.doctor", "ooh-doctor-dev-password");
		String code = AppLaunch.queryOf(back).get("code");
		assertThat(code).as(back).isNotNull();
		return code;
	}

	HttpResponse<String> exchange(String code, String verifier, String redirectUri) {
		return this.browser.token(AppLaunch.form(Map.of("grant_type", "authorization_code", "code", code,
				"redirect_uri", redirectUri, "client_id", "demo-public-app", "code_verifier", verifier)),
				"demo-public-app", null);
	}

	static void assertOAuthError(HttpResponse<String> response, String error) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
		JsonNode body = AppLaunch.json(response);
		assertThat(body.path("error").asText()).isEqualTo(error);
		assertThat(body.has("access_token")).isFalse();
	}

	@Test
	void aWrongPkceVerifierGetsInvalidGrant() throws Exception {
		String code = code(Pkce.create(), launchId());

		assertOAuthError(exchange(code, Pkce.create().verifier(), APP_REDIRECT), "invalid_grant");
	}

	@Test
	void aCodeUsedTwiceGetsInvalidGrantTheSecondTime() throws Exception {
		Pkce pkce = Pkce.create();
		String code = code(pkce, launchId());
		assertThat(exchange(code, pkce.verifier(), APP_REDIRECT).statusCode()).isEqualTo(200);

		assertOAuthError(exchange(code, pkce.verifier(), APP_REDIRECT), "invalid_grant");
	}

	@Test
	void aCodeExchangedWithAnotherRedirectUriGetsInvalidGrant() throws Exception {
		Pkce pkce = Pkce.create();
		String code = code(pkce, launchId());

		assertOAuthError(exchange(code, pkce.verifier(), "http://127.0.0.1:9/elsewhere"), "invalid_grant");
	}

	@Test
	void anUnregisteredRedirectUriIsRefusedWithoutRedirectingThere() {
		HttpResponse<String> response = this.browser
			.get("/oauth2/authorize?" + AppLaunch.authorizeQuery("demo-public-app", "https://attacker.example/callback",
					"patient/*.rs", "s", Pkce.create(), null));

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Location")).isEmpty();
	}

	@Test
	void aPublicAppWithoutPkceOrWithPlainPkceIsSentBackWithInvalidRequest() {
		String withoutPkce = this.browser.location(this.browser.get("/oauth2/authorize?"
				+ AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT, "patient/*.rs", "s", null, null)));
		assertThat(withoutPkce).startsWith(APP_REDIRECT);
		assertThat(AppLaunch.queryOf(withoutPkce)).containsEntry("error", "invalid_request").doesNotContainKey("code");

		String plain = this.browser.location(this.browser.get("/oauth2/authorize?"
				+ AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT, "patient/*.rs", "s", null, null)
				+ "&code_challenge=abcdefghijabcdefghijabcdefghijabcdefghij123&code_challenge_method=plain"));
		assertThat(AppLaunch.queryOf(plain)).containsEntry("error", "invalid_request");
	}

	@Test
	void scopesTheAppIsNotRegisteredForAreSentBackWithInvalidScope() {
		String back = this.browser.location(this.browser.get("/oauth2/authorize?" + AppLaunch
			.authorizeQuery("demo-public-app", APP_REDIRECT, "system/*.cruds", "s", Pkce.create(), null)));

		assertThat(AppLaunch.queryOf(back)).containsEntry("error", "invalid_scope");
	}

	@Test
	void anUnknownLaunchIdIsSentBackWithInvalidRequest() {
		String back = this.browser
			.location(this.browser.get("/oauth2/authorize?" + AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT,
					"launch patient/*.rs", "s", Pkce.create(), "not-a-launch-id")));

		assertThat(back).startsWith(APP_REDIRECT);
		assertThat(AppLaunch.queryOf(back)).containsEntry("error", "invalid_request").containsEntry("state", "s");
		assertThat(AppLaunch.queryOf(back).get("error_description")).contains("unknown or has expired");
	}

	@Test
	void theLaunchScopeWithoutALaunchIdIsSentBackWithInvalidRequest() {
		String back = this.browser.location(this.browser.get("/oauth2/authorize?" + AppLaunch
			.authorizeQuery("demo-public-app", APP_REDIRECT, "launch patient/*.rs", "s", Pkce.create(), null)));

		assertThat(AppLaunch.queryOf(back)).containsEntry("error", "invalid_request");
	}

	@Test
	void aLaunchIdStartsOneAuthorizationOnly() throws Exception {
		String launch = launchId();
		code(Pkce.create(), launch);

		String again = this.browser.location(this.browser.get("/oauth2/authorize?" + AppLaunch
			.authorizeQuery("demo-public-app", APP_REDIRECT, "launch patient/*.rs", "s2", Pkce.create(), launch)));
		assertThat(AppLaunch.queryOf(again)).containsEntry("error", "invalid_request").doesNotContainKey("code");
		assertThat(AppLaunch.queryOf(again).get("error_description")).contains("already been used");
	}

	@Test
	void aPercentEncodedPathToTheLaunchEndpointsIsGuardedAsThePlainOne() {
		for (String path : List.of("/oauth2/%6caunch", "/oauth2/launch/%63ontext")) {
			Response anonymous = FhirHttp.anonymous(this.port)
				.post(path, "patient=" + this.patient + "&launch=x", "Content-Type",
						"application/x-www-form-urlencoded");
			assertThat(anonymous.status()).as(path + ": " + anonymous.body()).isEqualTo(401);
		}
	}

	@Test
	void theConsentFormIsRefusedWithoutItsCsrfToken() throws Exception {
		HttpResponse<String> consent = this.browser.signIn(
				this.browser.get("/oauth2/authorize?" + AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT,
						"launch patient/*.rs", "s", Pkce.create(), launchId())),
				"ooh.doctor", "ooh-doctor-dev-password");
		Map<String, String> fields = AppLaunch.hiddenFields(consent.body());
		fields.remove("_csrf");
		fields.put("scope", "patient/*.rs");

		HttpResponse<String> forged = this.browser.post("/oauth2/authorize", AppLaunch.form(fields));
		assertThat(forged.statusCode()).isEqualTo(403);
		assertThat(forged.headers().firstValue("Location")).isEmpty();
	}

	@Test
	void theSignInFormIsRefusedWithoutItsCsrfToken() {
		HttpResponse<String> page = this.browser.follow(this.browser.get("/oauth2/authorize?"
				+ AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT, "patient/*.rs", "s", Pkce.create(), null)));
		Map<String, String> fields = AppLaunch.hiddenFields(page.body());
		assertThat(fields).containsKey("_csrf");
		fields.remove("_csrf");
		fields.put("username", "ooh.doctor");
		fields.put("password", "ooh-doctor-dev-password");

		// a page elsewhere posting a known password cannot sign this browser in as that
		// user
		HttpResponse<String> forged = this.browser.post("/login", AppLaunch.form(fields));
		assertThat(forged.statusCode()).isEqualTo(403);
		assertThat(forged.headers().firstValue("Location")).isEmpty();
		HttpResponse<String> after = this.browser.follow(this.browser.get("/oauth2/authorize?"
				+ AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT, "patient/*.rs", "s", Pkce.create(), null)));
		assertThat(after.body()).contains("Sign in to the EPaCCS demo");
	}

	@Test
	void wrongPasswordsStayOnTheSignInPage() {
		HttpResponse<String> page = this.browser.follow(this.browser.get("/oauth2/authorize?"
				+ AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT, "patient/*.rs", "s", Pkce.create(), null)));
		Map<String, String> fields = AppLaunch.hiddenFields(page.body());
		fields.put("username", "ooh.doctor");
		fields.put("password", "wrong");

		HttpResponse<String> again = this.browser.follow(this.browser.post("/login", AppLaunch.form(fields)));
		assertThat(again.statusCode()).isEqualTo(200);
		assertThat(again.body()).contains("Wrong user name or password");
		assertThat(again.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'none'");
	}

}
