package org.openepaccs.security;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.AppLaunch;
import org.openepaccs.testsupport.AppLaunch.Pkce;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SMART App Launch with the embedded issuer, as an app and a user's browser go
 * through it: the EHR launch (a system client's launch id), the standalone launch with
 * the patient picker, and what the token then lets the app do.
 */
@EpaccsIntegrationTest
class SmartAppLaunchIT {

	static final String NHS = "https://fhir.nhs.uk/Id/nhs-number";

	static final String APP_REDIRECT = "http://127.0.0.1:9/demo-app/callback";

	@LocalServerPort
	int port;

	AppLaunch launch;

	FhirHttp gp;

	String patient;

	String nhsNumber;

	@BeforeEach
	void aPatientIsStored() {
		this.launch = new AppLaunch("http://localhost:" + this.port);
		this.gp = new FhirHttp(this.port);
		this.nhsNumber = TestNhsNumbers.unused();
		Patient person = new Patient().addName(new HumanName().setFamily("Launched").addGiven("Lena"));
		person.addIdentifier().setSystem(NHS).setValue(this.nhsNumber);
		this.patient = this.gp.post("/fhir/Patient", FhirHttp.json(person)).resource(Patient.class).getIdPart();
	}

	/** What the EHR does: a launch id for the patient it has open. */
	String launchIdFor(String patient) throws Exception {
		Response response = ehr().post("/oauth2/launch", "patient=" + patient, "Content-Type",
				"application/x-www-form-urlencoded");
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
		assertThat(body.path("expires_in").asLong()).isEqualTo(300);
		return body.path("launch").asText();
	}

	FhirHttp ehr() {
		return FhirHttp.as(this.port, "ehr-launcher");
	}

	@Test
	void anEhrLaunchGivesAPublicAppATokenWithThePatientInContextAndNoRefreshToken() throws Exception {
		String launchId = launchIdFor(this.patient);
		assertThat(launchId).doesNotContain(this.patient).hasSizeGreaterThanOrEqualTo(40);
		Pkce pkce = Pkce.create();

		String back = this.launch.authorize(
				AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT, "launch user/*.rs", "st-1", pkce, launchId),
				"ooh.doctor", "ooh-doctor-dev-password");
		Map<String, String> answer = AppLaunch.queryOf(back);
		assertThat(back).startsWith(APP_REDIRECT);
		assertThat(answer).containsEntry("state", "st-1").containsKey("code");

		HttpResponse<String> tokens = exchange(answer.get("code"), pkce);
		assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
		JsonNode body = AppLaunch.json(tokens);
		assertThat(body.path("patient").asText()).isEqualTo(this.patient);
		assertThat(body.has("refresh_token")).as("a public client signs in again").isFalse();
		assertThat(body.path("scope").asText().split(" ")).contains("launch", "user/*.rs");
		String accessToken = body.path("access_token").asText();
		JWTClaimsSet claims = SignedJWT.parse(accessToken).getJWTClaimsSet();
		assertThat(claims.getSubject()).isEqualTo("ooh.doctor");
		assertThat(claims.getStringClaim("client_id")).isEqualTo("demo-public-app");
		assertThat(claims.getStringClaim("epaccs_role")).isEqualTo("ooh-clinician");
		assertThat(claims.getStringClaim("epaccs_ods")).isEqualTo("Y99906");
		assertThat(claims.getStringClaim("patient")).isEqualTo(this.patient);

		Response summary = FhirHttp.anonymous(this.port)
			.get("/fhir/Patient/" + this.patient + "/$epaccs-summary", "Authorization", "Bearer " + accessToken);
		assertThat(summary.status()).as(summary.body()).isEqualTo(200);
		assertThat(summary.body()).contains("Launched");
	}

	@Test
	void aPatientScopedTokenReadsAndSearchesThatPatientsRecordOnly() throws Exception {
		Pkce pkce = Pkce.create();
		String back = this.launch.authorize(AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT,
				"launch patient/*.rs", "st-4", pkce, launchIdFor(this.patient)), "ooh.doctor",
				"ooh-doctor-dev-password");
		String accessToken = AppLaunch.json(exchange(AppLaunch.queryOf(back).get("code"), pkce))
			.path("access_token")
			.asText();
		String someoneElse = this.gp
			.post("/fhir/Patient", FhirHttp.json(new Patient().addName(new HumanName().setFamily("Other"))))
			.resource(Patient.class)
			.getIdPart();
		FhirHttp app = FhirHttp.anonymous(this.port);

		Response own = app.get("/fhir/Patient/" + this.patient, "Authorization", "Bearer " + accessToken);
		assertThat(own.status()).as(own.body()).isEqualTo(200);
		Response other = app.get("/fhir/Patient/" + someoneElse, "Authorization", "Bearer " + accessToken);
		assertThat(other.status()).as(other.body()).isEqualTo(403);
		Response search = app.get("/fhir/Patient?_count=50", "Authorization", "Bearer " + accessToken);
		assertThat(search.status()).as(search.body()).isEqualTo(200);
		assertThat(search.body()).contains(this.patient).doesNotContain(someoneElse);
		// the summary names directory entries (the GP practice, the key worker), which a
		// patient/ scope reads; the person's own data stays bounded by the compartment
		Response summary = app.get("/fhir/Patient/" + this.patient + "/$epaccs-summary", "Authorization",
				"Bearer " + accessToken);
		assertThat(summary.status()).as(summary.body()).isEqualTo(200);
		assertThat(summary.body()).contains("Launched");
		Response othersSummary = app.get("/fhir/Patient/" + someoneElse + "/$epaccs-summary", "Authorization",
				"Bearer " + accessToken);
		assertThat(othersSummary.status()).as(othersSummary.body()).isEqualTo(403);
		assertThat(othersSummary.body()).doesNotContain("Other");
	}

	@Test
	void aPatientScopedTokenShowsNothingOfAPatientInContextWhoRefusedToShareUntilTheGlassIsBroken() throws Exception {
		// the EHR has the person open; the refusal is their practice's, and the
		// out-of-hours
		// doctor's organisation is outside it
		String launchId = launchIdFor(this.patient);
		refusesToShareOutsideTheirPractice(this.patient);
		Pkce pkce = Pkce.create();
		String back = this.launch.authorize(AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT,
				"launch patient/*.rs", "st-6", pkce, launchId), "ooh.doctor", "ooh-doctor-dev-password");
		String accessToken = AppLaunch.json(exchange(AppLaunch.queryOf(back).get("code"), pkce))
			.path("access_token")
			.asText();
		FhirHttp app = FhirHttp.anonymous(this.port);
		String bearer = "Bearer " + accessToken;
		String summaryPath = "/fhir/Patient/" + this.patient + "/$epaccs-summary";

		Response summary = app.get(summaryPath, "Authorization", bearer);
		Response read = app.get("/fhir/Patient/" + this.patient, "Authorization", bearer);
		Response search = app.get("/fhir/Patient?_count=50", "Authorization", bearer);

		// a clinician who has the person in front of them is told why, and how to break
		// the
		// glass, and shown nothing of the record
		assertThat(summary.status()).as(summary.body()).isEqualTo(403);
		assertThat(summary.body()).contains("refused to share", "X-Break-Glass");
		assertThat(read.status()).as(read.body()).isEqualTo(403);
		assertThat(search.status()).as(search.body()).isEqualTo(200);
		assertThat(search.resource(org.hl7.fhir.r4.model.Bundle.class).getEntry()).isEmpty();
		for (Response answer : List.of(summary, read, search)) {
			assertThat(answer.body()).doesNotContain("Launched").doesNotContain("Lena").doesNotContain(this.nhsNumber);
		}
		Response glassBroken = app.get(summaryPath, "Authorization", bearer, "X-Break-Glass",
				"Unconscious at home, ambulance crew asking for the plan");
		assertThat(glassBroken.status()).as(glassBroken.body()).isEqualTo(200);
		assertThat(glassBroken.body()).contains("Launched");
	}

	HttpResponse<String> exchange(String code, Pkce pkce) {
		return this.launch.token(AppLaunch.form(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri",
				APP_REDIRECT, "client_id", "demo-public-app", "code_verifier", pkce.verifier())), "demo-public-app",
				null);
	}

	@Test
	void aStandaloneLaunchAsksForTheNhsNumberAndPutsThatPatientInContext() {
		Pkce pkce = Pkce.create();
		HttpResponse<String> picker = this.launch.signIn(this.launch.get("/oauth2/authorize?" + AppLaunch
			.authorizeQuery("demo-public-app", APP_REDIRECT, "launch/patient user/*.rs", "st-2", pkce, null)),
				"gp.doctor", "gp-doctor-dev-password");
		assertThat(picker.body()).contains("Which patient?");

		HttpResponse<String> wrong = this.launch.pick(picker, "1234567890");
		assertThat(wrong.statusCode()).isEqualTo(400);
		assertThat(wrong.body()).contains("not a valid NHS number");
		HttpResponse<String> unknown = this.launch.pick(picker, TestNhsNumbers.unused());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("No record you may open has this NHS number");

		HttpResponse<String> consent = this.launch.pick(picker, this.nhsNumber);
		assertThat(consent.body()).contains("Allow demo-public-app?", "Ask you which patient");
		String back = this.launch.location(this.launch.allow(consent));
		Map<String, String> answer = AppLaunch.queryOf(back);
		assertThat(answer).containsEntry("state", "st-2").containsKey("code");
		// nothing that names the patient travels in a URL
		assertThat(back).doesNotContain(this.nhsNumber).doesNotContain(this.patient);

		HttpResponse<String> tokens = exchange(answer.get("code"), pkce);
		assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
		assertThat(AppLaunch.json(tokens).path("patient").asText()).isEqualTo(this.patient);
	}

	@Test
	void thePickerTellsANonClinicalUserNothingOfSomeoneWhoRefusedToShare() {
		refusesToShareOutsideTheirPractice(this.patient);
		Pkce pkce = Pkce.create();
		HttpResponse<String> picker = this.launch.signIn(
				this.launch.get("/oauth2/authorize?" + AppLaunch.authorizeQuery("demo-public-app", APP_REDIRECT,
						"launch/patient user/*.rs", "st-5", pkce, null)),
				"spoc.coordinator", "spoc-coordinator-dev-password");
		assertThat(picker.body()).contains("Which patient?");

		HttpResponse<String> refused = this.launch.pick(picker, this.nhsNumber);
		HttpResponse<String> unknown = this.launch.pick(picker, TestNhsNumbers.unused());

		assertThat(refused.statusCode()).isEqualTo(404).isEqualTo(unknown.statusCode());
		assertThat(withoutCsrfToken(refused.body())).isEqualTo(withoutCsrfToken(unknown.body()));
		assertThat(refused.body()).contains("No record you may open has this NHS number")
			.doesNotContain(this.patient)
			.doesNotContain("Launched");
	}

	static String withoutCsrfToken(String page) {
		return page.replaceAll("name=\"_csrf\" value=\"[^\"]*\"", "name=\"_csrf\"");
	}

	/**
	 * A refusal recorded by the person's own practice (the gp-system client's, Y99901).
	 */
	void refusesToShareOutsideTheirPractice(String patient) {
		String practice = this.gp
			.post("/fhir/Organization",
					"{\"resourceType\":\"Organization\",\"name\":\"Launch Surgery\",\"identifier\":[{\"system\":"
							+ "\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"Y99901\"}]}")
			.resource(org.hl7.fhir.r4.model.Organization.class)
			.getIdPart();
		Response consent = this.gp.post("/fhir/Consent", "{\"resourceType\":\"Consent\",\"status\":\"active\","
				+ "\"scope\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\","
				+ "\"code\":\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"Patient/" + patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"Patient/" + patient + "\"}],\"organization\":[{\"reference\":\"Organization/"
				+ practice + "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],"
				+ "\"provision\":{\"type\":\"deny\"}}");
		assertThat(consent.status()).as(consent.body()).isEqualTo(201);
	}

	@Test
	void aConfidentialAppGetsARefreshTokenThatKeepsThePatientAndCannotWidenTheScopes() throws Exception {
		Pkce pkce = Pkce.create();
		String back = this.launch.authorize(AppLaunch.authorizeQuery("demo-app", APP_REDIRECT, "launch patient/*.rs",
				"st-3", pkce, launchIdFor(this.patient)), "ooh.doctor", "ooh-doctor-dev-password");
		HttpResponse<String> tokens = this.launch.token(
				AppLaunch.form(Map.of("grant_type", "authorization_code", "code", AppLaunch.queryOf(back).get("code"),
						"redirect_uri", APP_REDIRECT, "code_verifier", pkce.verifier())),
				"demo-app", "demo-app-dev-secret");
		assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
		String refreshToken = AppLaunch.json(tokens).path("refresh_token").asText();
		assertThat(refreshToken).isNotBlank();

		HttpResponse<String> wider = this.launch.token(AppLaunch.form(Map.of("grant_type", "refresh_token",
				"refresh_token", refreshToken, "scope", "patient/*.rs user/*.rs")), "demo-app", "demo-app-dev-secret");
		assertThat(wider.statusCode()).as(wider.body()).isEqualTo(400);
		assertThat(AppLaunch.json(wider).path("error").asText()).isEqualTo("invalid_scope");

		HttpResponse<String> refreshed = this.launch.token(
				AppLaunch.form(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken)), "demo-app",
				"demo-app-dev-secret");
		assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
		JsonNode body = AppLaunch.json(refreshed);
		assertThat(body.path("patient").asText()).isEqualTo(this.patient);
		assertThat(SignedJWT.parse(body.path("access_token").asText()).getJWTClaimsSet().getStringClaim("patient"))
			.isEqualTo(this.patient);
	}

	@Test
	void theLaunchEndpointNeedsItsScopeAndAPatientId() {
		Response withoutScope = FhirHttp.as(this.port, "gp-system")
			.post("/oauth2/launch", "patient=" + this.patient, "Content-Type", "application/x-www-form-urlencoded");
		assertThat(withoutScope.status()).isEqualTo(403);
		assertThat(withoutScope.body()).contains("insufficient_scope", "epaccs/launch-context");

		Response withoutToken = FhirHttp.anonymous(this.port)
			.post("/oauth2/launch", "patient=" + this.patient, "Content-Type", "application/x-www-form-urlencoded");
		assertThat(withoutToken.status()).isEqualTo(401);

		Response badPatient = ehr().post("/oauth2/launch", "patient=Patient%2F..%2Fx%3Cscript%3E", "Content-Type",
				"application/x-www-form-urlencoded");
		assertThat(badPatient.status()).isEqualTo(400);
		assertThat(badPatient.body()).contains("invalid_request");
	}

}
