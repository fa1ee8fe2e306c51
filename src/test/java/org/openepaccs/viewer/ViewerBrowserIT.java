package org.openepaccs.viewer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openepaccs.testsupport.Browsers;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.TestNhsNumbers;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.chromium.HasCdp;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The out-of-hours viewer in a real browser (headless Chromium): a page plays the
 * clinician's EHR and opens the viewer with the patient it has open (SMART EHR launch),
 * the clinician signs in through the embedded issuer (PKCE), and the test reads what the
 * clinician sees against the stored record. Screenshots go to {@code target/screenshots}.
 */
@EpaccsIntegrationTest
class ViewerBrowserIT {

	static final String NHS = "https://fhir.nhs.uk/Id/nhs-number";

	@LocalServerPort
	int port;

	FhirHttp gp;

	WebDriver browser;

	HttpServer ehr;

	String testName;

	@BeforeEach
	void aBrowserAndAnEhr(TestInfo test) throws IOException {
		this.browser = Browsers.headlessChromium();
		this.gp = new FhirHttp(this.port);
		this.ehr = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.ehr.start();
		this.testName = test.getTestMethod().orElseThrow().getName();
	}

	@AfterEach
	void closeThem() {
		if (this.browser != null) {
			this.browser.quit();
		}
		if (this.ehr != null) {
			this.ehr.stop(0);
		}
	}

	@Test
	void anEhrLaunchShowsTheCprDecisionFirstThenThePreferredPlacesAndMedicines() throws Exception {
		String nhsNumber = TestNhsNumbers.unused();
		String story = Examples.read(Path.of("profiles", "examples", "Bundle-margaret-record.json"))
			.replaceAll("(?<=[/\"])margaret(?=[-\"])", "margaret-v" + System.nanoTime())
			.replace("9990000018", nhsNumber);
		Response stored = this.gp.post("/fhir", story);
		assertThat(stored.status()).as(stored.body()).isEqualTo(200);
		Bundle record = ca.uhn.fhir.context.FhirContext.forR4Cached()
			.newJsonParser()
			.parseResource(Bundle.class, story);
		String cprDecision = only(record, Flag.class, "cpr").getCode().getText();
		String firstPreferredPlace = only(record, Observation.class, "ppd-1").getCode().getText();
		String anticipatoryMedicines = only(record, Procedure.class, "anticipatory-medicines").getCode().getText();
		String patient = patientWith(nhsNumber);

		openFromTheEhr(patient);
		signInAs("ooh.doctor", "ooh-doctor-dev-password");
		WebElement plan = waitFor(By.id("plan"));

		List<WebElement> sections = plan.findElements(By.cssSelector("#sections section"));
		assertThat(sections.get(0).findElement(By.tagName("h2")).getText())
			.isEqualTo("CPR decision and ReSPECT recommendations");
		assertThat(sections.get(0).getAttribute("class")).contains("first");
		assertThat(sections.get(0).getText()).contains("CPR decision: " + cprDecision);
		assertThat(sections.get(1).findElement(By.tagName("h2")).getText())
			.isEqualTo("Preferred places of care and death");
		assertThat(sections.get(1).getText()).contains("1st choice: " + firstPreferredPlace);
		assertThat(sections.get(2).findElement(By.tagName("h2")).getText()).startsWith("Anticipatory medicines");
		assertThat(sections.get(2).getText()).contains(anticipatoryMedicines);
		assertThat(plan.findElement(By.id("patient-banner")).getText()).contains("NHS number "
				+ nhsNumber.substring(0, 3) + " " + nhsNumber.substring(3, 6) + " " + nhsNumber.substring(6));
		// each entry says when it was last changed and by whom
		assertThat(sections.get(0).findElement(By.tagName("i")).getText()).contains("gp-system");
		// nothing that names the patient in the address bar
		assertThat(this.browser.getCurrentUrl()).isEqualTo("http://localhost:" + this.port + "/viewer/");
		// the token is in the page's memory only: nothing in the browser's storage (the
		// PKCE
		// verifier waited there during the sign-in and is gone) and no cookie a script
		// sees
		assertThat(((org.openqa.selenium.JavascriptExecutor) this.browser)
			.executeScript("return [window.localStorage.length, window.sessionStorage.length, document.cookie]"))
			.isEqualTo(List.of(0L, 0L, ""));
		screenshot("plan");
	}

	@Test
	void aRestrictedRecordAsksForAReasonAndBreakingTheGlassLeavesOneAuditEvent() throws Exception {
		String patient = refusedToShareBeyondTheirPractice();
		Flag decision = Examples.cprDecisionFor("Patient/" + patient);
		Response stored = this.gp.post("/fhir/Flag", FhirHttp.json(decision));
		assertThat(stored.status()).as(stored.body()).isEqualTo(201);

		openFromTheEhr(patient);
		signInAs("ooh.doctor", "ooh-doctor-dev-password");
		WebElement restricted = waitFor(By.id("restricted"));
		assertThat(restricted.getText()).contains("This record is restricted");
		assertThat(this.browser.findElement(By.id("plan")).isDisplayed()).isFalse();
		screenshot("restricted");

		this.browser.findElement(By.id("break-glass-submit")).click();
		assertThat(waitFor(By.id("reason-problem")).getText()).contains("Give a reason");
		assertThat(etreatEvents(patient)).as("no reason, no break-glass").isZero();

		this.browser.findElement(By.id("reason")).sendKeys("Unconscious at home, ambulance crew needs the plan");
		this.browser.findElement(By.id("break-glass-submit")).click();
		WebElement plan = waitFor(By.id("plan"));
		assertThat(plan.findElement(By.id("glass-broken")).getText()).contains("breaking the glass")
			.contains("Unconscious at home, ambulance crew needs the plan");
		assertThat(plan.findElement(By.cssSelector("#sections section")).getText())
			.contains("CPR decision: " + decision.getCode().getText());
		screenshot("glass-broken");

		assertThat(etreatReasons(patient)).singleElement()
			.asString()
			.contains("Unconscious at home, ambulance crew needs the plan");
	}

	@Test
	void aStandaloneLaunchAsksForTheNhsNumberAndShowsThatPersonsPlan() {
		String nhsNumber = TestNhsNumbers.unused();
		Patient person = new Patient().addName(new HumanName().setFamily("Standalone").addGiven("Sid"));
		person.addIdentifier().setSystem(NHS).setValue(nhsNumber);
		String patient = this.gp.post("/fhir/Patient", FhirHttp.json(person)).resource(Patient.class).getIdPart();
		Flag decision = Examples.cprDecisionFor("Patient/" + patient);
		assertThat(this.gp.post("/fhir/Flag", FhirHttp.json(decision)).status()).isEqualTo(201);

		// opened at the loopback address while the embedded issuer names itself
		// localhost:
		// the page still talks to the origin it was opened at
		String viewer = "http://127.0.0.1:" + this.port + "/viewer/";
		this.browser.get(viewer);
		waitFor(By.id("standalone")).click();
		waitFor(By.id("username")).sendKeys("gp.doctor");
		this.browser.findElement(By.id("password")).sendKeys("gp-doctor-dev-password");
		this.browser.findElement(By.cssSelector("button[type=submit]")).click();
		waitFor(By.id("nhs_number")).sendKeys(nhsNumber);
		screenshot("picker");
		this.browser.findElement(By.cssSelector("button[type=submit]")).click();
		new WebDriverWait(this.browser, Duration.ofSeconds(30)).until(ExpectedConditions
			.or(ExpectedConditions.presenceOfElementLocated(By.id("allow")), ExpectedConditions.urlToBe(viewer)));
		this.browser.findElements(By.id("allow")).forEach(WebElement::click);
		WebElement plan = waitFor(By.id("plan"));

		assertThat(plan.findElement(By.id("patient-banner")).getText()).contains("Sid STANDALONE");
		assertThat(plan.findElement(By.cssSelector("#sections section")).getText())
			.contains("CPR decision: " + decision.getCode().getText());
		assertThat(this.browser.getCurrentUrl()).isEqualTo(viewer);
		screenshot("plan");
	}

	@Test
	void aClinicianIsSignedOutAfterTenMinutesWithoutActivityAndThePlanLeavesTheScreen() throws Exception {
		String nhsNumber = TestNhsNumbers.unused();
		Patient person = new Patient().addName(new HumanName().setFamily("Idle").addGiven("Ida"));
		person.addIdentifier().setSystem(NHS).setValue(nhsNumber);
		String patient = this.gp.post("/fhir/Patient", FhirHttp.json(person)).resource(Patient.class).getIdPart();
		Flag decision = Examples.cprDecisionFor("Patient/" + patient);
		assertThat(this.gp.post("/fhir/Flag", FhirHttp.json(decision)).status()).isEqualTo(201);
		openFromTheEhr(patient);
		signInAs("ooh.doctor", "ooh-doctor-dev-password");
		assertThat(waitFor(By.id("plan")).getText()).contains("CPR decision: " + decision.getCode().getText());
		Cookie issuerSignIn = this.browser.manage().getCookieNamed("JSESSIONID");
		assertThat(issuerSignIn).as("the issuer's sign-in cookie").isNotNull();
		assertThat(issuerSignOutPage(issuerSignIn)).as("signed in at the issuer").isEqualTo(200);

		// the page's clock runs on: nine minutes idle keep the plan, then one more passes
		// the ten
		long idleSince = pageClock();
		advancePageClock(idleSince, 9);
		assertThat(this.browser.findElement(By.id("plan")).isDisplayed()).isTrue();
		advancePageClock(idleSince, 11);
		WebElement signedOut = waitFor(By.id("problem"));

		assertThat(signedOut.getText()).contains("Signed out", "10 minutes without activity");
		assertThat(this.browser.findElement(By.id("plan")).isDisplayed()).isFalse();
		assertThat(this.browser.findElement(By.id("sections")).getText()).isEmpty();
		assertThat(this.browser.getPageSource()).doesNotContain(decision.getCode().getText()).doesNotContain("IDLE");
		// the sign-in at the issuer ends too, so that opening the plan again asks for the
		// password rather than signing the next person at this screen in as this
		// clinician
		new WebDriverWait(this.browser, Duration.ofSeconds(30))
			.until(ExpectedConditions.textToBePresentInElementLocated(By.id("problem"), "asks for your password"));
		assertThat(issuerSignOutPage(issuerSignIn))
			.as("the issuer's sign-in has ended: its sign-out page " + "sends the browser to sign in")
			.isEqualTo(302);
		screenshot("signed-out");
	}

	/**
	 * The status of the issuer's sign-out page for the browser's sign-in cookie: 200
	 * while signed in, a redirect to the sign-in page once that sign-in has ended.
	 */
	private int issuerSignOutPage(Cookie signIn) throws Exception {
		HttpResponse<String> page = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/logout"))
				.header("Cookie", signIn.getName() + "=" + signIn.getValue())
				.build(), HttpResponse.BodyHandlers.ofString());
		return page.statusCode();
	}

	@Test
	void theViewerIsSentWithAStrictContentSecurityPolicy() {
		// an encoded spelling reaches the same page, and is classified as it
		for (String path : List.of("/viewer/", "/viewer/viewer.js", "/viewer/viewer.css",
				"/viewer/shared/pkce-sign-in.js", "/%76iewer/")) {
			Response response = FhirHttp.anonymous(this.port).get(path);
			assertThat(response.status()).as(path).isEqualTo(200);
			String policy = response.header("Content-Security-Policy");
			assertThat(policy).as(path)
				.contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
				.doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
			assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
		}
		assertThat(FhirHttp.anonymous(this.port).get("/viewer/").body()).doesNotContain("<script>")
			.doesNotContain("style=")
			.doesNotContain("onclick");
	}

	/** The page's own time (virtual once the clock is driven), in epoch milliseconds. */
	private long pageClock() {
		return ((Number) ((org.openqa.selenium.JavascriptExecutor) this.browser).executeScript("return Date.now()"))
			.longValue();
	}

	/**
	 * Runs the page's clock on until {@code minutes} after {@code since}, timers and all,
	 * and waits until it has got there. A budget's virtual time can stop short of its
	 * length (a CI run under load saw the clock stand still for a minute), so a clock
	 * that stands still short of the target for a second is given the rest of the way
	 * again. Each budget is worked out with the clock paused, since a budget given
	 * replaces the one being spent from wherever the clock then stands: read while it
	 * runs, the rest of the way could carry it past the target.
	 */
	private void advancePageClock(long since, int minutes) {
		long target = since + minutes * 60_000L;
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		giveTheRestOfTheWay(target);
		long seen = pageClock();
		while (true) {
			try {
				new WebDriverWait(this.browser, Duration.ofSeconds(1), Duration.ofMillis(50))
					.until((driver) -> pageClock() >= target);
			}
			catch (org.openqa.selenium.TimeoutException standingOrMoving) {
				// judged below
			}
			long now = pageClock();
			if (now >= target) {
				return;
			}
			assertThat(System.nanoTime())
				.as("the page's clock reached %d minutes (it stands at %d ms of them)", minutes, now - since)
				.isLessThan(deadline);
			if (now == seen) {
				giveTheRestOfTheWay(target);
				now = pageClock();
			}
			seen = now;
		}
	}

	/**
	 * Pauses the page's clock, then gives it a budget to the target from where it stands.
	 */
	private void giveTheRestOfTheWay(long target) {
		HasCdp cdp = (HasCdp) this.browser;
		cdp.executeCdpCommand("Emulation.setVirtualTimePolicy", Map.of("policy", "pause"));
		long now = pageClock();
		if (now < target) {
			cdp.executeCdpCommand("Emulation.setVirtualTimePolicy",
					Map.of("policy", "advance", "budget", target - now));
		}
	}

	/** The EHR's page opens the viewer with a launch id its back end asked for. */
	private void openFromTheEhr(String patient) throws Exception {
		Response launch = FhirHttp.as(this.port, "ehr-launcher")
			.post("/oauth2/launch", "patient=" + patient, "Content-Type", "application/x-www-form-urlencoded");
		assertThat(launch.status()).as(launch.body()).isEqualTo(201);
		String launchId = new ObjectMapper().readTree(launch.body()).path("launch").asText();
		String fhirBase = "http://localhost:" + this.port + "/fhir";
		String href = "http://localhost:" + this.port + "/viewer/?iss="
				+ URLEncoder.encode(fhirBase, StandardCharsets.UTF_8) + "&launch=" + launchId;
		byte[] page = ("<!DOCTYPE html><html><head><title>Test EHR</title></head><body><h1>Test EHR</h1>"
				+ "<a id=\"open-plan\" href=\"" + href.replace("&", "&amp;") + "\">EPaCCS plan</a></body></html>")
			.getBytes(StandardCharsets.UTF_8);
		this.ehr.createContext("/", (exchange) -> {
			exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
			exchange.sendResponseHeaders(200, page.length);
			exchange.getResponseBody().write(page);
			exchange.close();
		});
		this.browser.get("http://127.0.0.1:" + this.ehr.getAddress().getPort() + "/");
		this.browser.findElement(By.id("open-plan")).click();
	}

	private void signInAs(String user, String password) {
		waitFor(By.id("username")).sendKeys(user);
		this.browser.findElement(By.id("password")).sendKeys(password);
		this.browser.findElement(By.cssSelector("button[type=submit]")).click();
		// the consent page the first time this user opens the viewer since the server
		// started
		new WebDriverWait(this.browser, Duration.ofSeconds(30))
			.until(ExpectedConditions.or(ExpectedConditions.presenceOfElementLocated(By.id("allow")),
					ExpectedConditions.urlToBe("http://localhost:" + this.port + "/viewer/")));
		List<WebElement> allow = this.browser.findElements(By.id("allow"));
		if (!allow.isEmpty()) {
			screenshot("consent");
			allow.get(0).click();
		}
	}

	private WebElement waitFor(By locator) {
		return new WebDriverWait(this.browser, Duration.ofSeconds(60))
			.until(ExpectedConditions.visibilityOfElementLocated(locator));
	}

	private void screenshot(String name) {
		Browsers.screenshot(this.browser, "ViewerBrowserIT-" + this.testName + "-" + name);
	}

	private String patientWith(String nhsNumber) {
		Bundle found = this.gp.get("/fhir/Patient?identifier=" + NHS + "%7C" + nhsNumber).resource(Bundle.class);
		assertThat(found.getEntry()).hasSize(1);
		return found.getEntryFirstRep().getResource().getIdElement().getIdPart();
	}

	private static <T extends org.hl7.fhir.r4.model.Resource> T only(Bundle record, Class<T> type, String idEnd) {
		return record.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(type::isInstance)
			.map(type::cast)
			.filter((resource) -> resource.getIdElement().getIdPart().endsWith("-" + idEnd))
			.findFirst()
			.orElseThrow();
	}

	/** A person whose refusal to share names their practice (Y99901) only. */
	private String refusedToShareBeyondTheirPractice() {
		Organization surgery = new Organization().setName("Viewer Refusal Surgery");
		surgery.addIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y99901");
		String organisation = "Organization/"
				+ this.gp.post("/fhir/Organization", FhirHttp.json(surgery)).resource(Organization.class).getIdPart();
		Patient person = new Patient().addName(new HumanName().setFamily("Restricted").addGiven("Rosa"));
		person.addIdentifier().setSystem(NHS).setValue(TestNhsNumbers.unused());
		String patient = this.gp.post("/fhir/Patient", FhirHttp.json(person)).resource(Patient.class).getIdPart();
		Response refusal = this.gp.post("/fhir/Consent", "{\"resourceType\":\"Consent\",\"status\":\"active\","
				+ "\"scope\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":"
				+ "\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"Patient/" + patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"Patient/" + patient + "\"}],\"organization\":[{\"reference\":\"" + organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],"
				+ "\"provision\":{\"type\":\"deny\"}}");
		assertThat(refusal.status()).as(refusal.body()).isEqualTo(201);
		return patient;
	}

	/** The audit events of breaking the glass on this person's record. */
	private long etreatEvents(String patient) {
		return etreatReasons(patient).size();
	}

	/** The reasons recorded with each break-glass access to this person's record. */
	private List<String> etreatReasons(String patient) {
		Bundle events = FhirHttp.as(this.port, "admin")
			.get("/fhir/AuditEvent?patient=Patient/" + patient + "&_count=100")
			.resource(Bundle.class);
		return events.getEntry()
			.stream()
			.map((entry) -> (AuditEvent) entry.getResource())
			.flatMap((event) -> event.getAgent().stream())
			.flatMap((agent) -> agent.getPurposeOfUse().stream())
			.filter((purpose) -> purpose.getCoding().stream().anyMatch((c) -> "ETREAT".equals(c.getCode())))
			.map((purpose) -> purpose.getText())
			.toList();
	}

}
