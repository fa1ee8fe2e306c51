package org.openepaccs.dashboard;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupComponent;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.Systems;
import org.openepaccs.testsupport.Browsers;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.TestNhsNumbers;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.HasCdp;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ICB dashboard in a real browser (headless Chromium): an analyst signs in through
 * the embedded issuer (PKCE), picks a period and a practice, and the test reads the
 * numbers on the page against the MeasureReport the API gives for the same question, and
 * against counts known by construction: a practice with 12 people on the register (shown
 * as 10, rounded to the nearest 5), 9 of them with a named key worker (suppressed, since
 * it would tell of the 3 without one), none with a CPR decision (0 of 10, with its
 * interval). Screenshots go to {@code target/screenshots}.
 */
@EpaccsIntegrationTest
class DashboardBrowserIT {

	static final String PERIOD_START = "2025-04-01";

	static final String PERIOD_END = "2025-06-30";

	@LocalServerPort
	int port;

	FhirHttp gp;

	WebDriver browser;

	String ods;

	@BeforeEach
	void aPracticeWithTwelvePeopleOnTheRegister() {
		this.gp = new FhirHttp(this.port);
		this.ods = "P" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
		Organization practice = new Organization().setName("Dashboard Practice");
		practice.addIdentifier().setSystem(Systems.ODS).setValue(this.ods);
		String practiceId = "Organization/"
				+ this.gp.post("/fhir/Organization", FhirHttp.json(practice)).resource(Organization.class).getIdPart();
		String keyWorker = "Practitioner/"
				+ this.gp
					.post("/fhir/Practitioner",
							FhirHttp.json(
									new Practitioner().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("Key"))))
					.resource(Practitioner.class)
					.getIdPart();
		for (int i = 0; i < 12; i++) {
			onTheRegister(practiceId, (i < 9) ? keyWorker : null);
		}
		this.browser = Browsers.headlessChromium();
	}

	@AfterEach
	void closeTheBrowser() {
		if (this.browser != null) {
			this.browser.quit();
		}
	}

	@Test
	void anAnalystSignsInPicksAPeriodAndAPracticeAndSeesTheNumbersOfTheReport() throws IOException {
		this.browser.get("http://localhost:" + this.port + "/dashboard/");
		waitFor(By.id("sign-in")).click();
		signInAs("icb.analyst", "icb-analyst-dev-password");
		// without a period: the last full quarter, which the page then names
		waitUntilShowing("for the whole ICB");
		assertThat(field("period-start").getAttribute("value")).matches("\\d{4}-\\d{2}-01");

		choose(PERIOD_START, PERIOD_END, this.ods);
		waitUntilShowing("Showing " + PERIOD_START + " to " + PERIOD_END + " for practices " + this.ods);
		screenshot("indicators");

		WebElement onRegister = group("epaccs-register-size", "on-register");
		assertThat(onRegister.findElement(By.cssSelector("[data-part=headline]")).getText()).startsWith("All: 10");
		assertThat(count(report("epaccs-register-size"), "on-register", "initial-population")).isEqualTo(10);

		// 9 of 12 with a key worker: showing the 9 would tell of the 3 without one
		WebElement keyWorker = group("epaccs-register-care-planning", "key-worker");
		assertThat(keyWorker.findElement(By.cssSelector("[data-part=headline]")).getText())
			.isEqualTo("All: suppressed; suppressed of 10");
		WebElement cpr = group("epaccs-register-care-planning", "cpr-decision");
		MeasureReportGroupComponent cprDecisions = groupOf(report("epaccs-register-care-planning"), "cpr-decision");
		assertThat(cpr.findElement(By.cssSelector("[data-part=headline]")).getText())
			.isEqualTo("All: 0.0% (95% CI " + percent(interval(cprDecisions, "low")) + " to "
					+ percent(interval(cprDecisions, "high")) + "); 0 of 10");
		assertThat(interval(cprDecisions, "high")).isGreaterThan(BigDecimal.ZERO);

		// nobody died: a proportion of nobody is not a suppressed one
		assertThat(group("epaccs-deaths-on-register", "died-on-register")
			.findElement(By.cssSelector("[data-part=headline]"))
			.getText()).isEqualTo("All: nobody to count; 0 of 0");

		// the same numbers by practice, in the table view
		new Select(field("compare")).selectByVisibleText("GP practice");
		WebElement practiceRow = group("epaccs-register-size", "on-register")
			.findElement(By.cssSelector("tr[data-stratum='" + this.ods + "']"));
		assertThat(practiceRow.getAttribute("textContent")).startsWith(this.ods + "10");

		// a suppressed cell is shown as suppressed, not as a number
		new Select(field("compare")).selectByVisibleText("Sex");
		WebElement sexRow = group("epaccs-register-size", "on-register")
			.findElement(By.cssSelector("tr[data-stratum='not recorded']"));
		assertThat(sexRow.getAttribute("textContent")).isEqualTo("not recorded10");
		screenshot("by-sex");

		// the CSV holds the same numbers, suppressed cells as such
		Path downloads = Files.createTempDirectory("dashboard-csv");
		((HasCdp) this.browser).executeCdpCommand("Browser.setDownloadBehavior",
				Map.of("behavior", "allow", "downloadPath", downloads.toAbsolutePath().toString()));
		field("csv").click();
		Path csv = downloads.resolve("epaccs-indicators-" + PERIOD_START + "-to-" + PERIOD_END + ".csv");
		org.awaitility.Awaitility.await("the CSV downloaded")
			.atMost(Duration.ofSeconds(30))
			.until(() -> Files.exists(csv));
		List<String> lines = Files.readAllLines(csv);
		assertThat(lines.get(0)).isEqualTo(
				"indicator,group,breakdown,stratum,people,numerator,denominator,score,ci_low,ci_high,median_days");
		assertThat(lines)
			.contains("epaccs-register-size,on-register,all,all,10,,,,,,",
					"epaccs-register-size,on-register,gp-practice," + this.ods + ",10,,,,,,")
			.anySatisfy((line) -> assertThat(line)
				.startsWith("epaccs-register-care-planning,key-worker,all,all,,suppressed,10,suppressed"));
	}

	@Test
	void badParametersAreShownAsTheServersMessage() {
		this.browser.get("http://localhost:" + this.port + "/dashboard/");
		waitFor(By.id("sign-in")).click();
		signInAs("icb.analyst", "icb-analyst-dev-password");
		waitUntilShowing("for the whole ICB");

		choose(PERIOD_END, PERIOD_START, "");
		assertThat(waitFor(By.id("form-problem")).getText())
			.isEqualTo("periodEnd (" + PERIOD_START + ") is before periodStart (" + PERIOD_END + ")");
		assertThat(this.browser.findElement(By.id("indicators")).getText()).isEmpty();

		choose(PERIOD_START, PERIOD_END, "ZZ9" + this.ods.substring(1));
		new WebDriverWait(this.browser, Duration.ofSeconds(30)).until(ExpectedConditions
			.textToBePresentInElementLocated(By.id("form-problem"), "No organisation here has the ODS code"));

		choose("2025-13-01", PERIOD_END, "");
		new WebDriverWait(this.browser, Duration.ofSeconds(30)).until(ExpectedConditions
			.textToBePresentInElementLocated(By.id("form-problem"), "periodStart must be a date written YYYY-MM-DD"));
		screenshot("bad-date");
	}

	@Test
	void theDashboardIsSentWithAStrictContentSecurityPolicyAndChartJsFromThisServer() {
		for (String path : List.of("/dashboard/", "/dashboard/dashboard.js", "/dashboard/lib/chart.umd.min.js",
				"/dashboard/shared/pkce-sign-in.js", "/dashboard/dashboard.css")) {
			Response response = FhirHttp.anonymous(this.port).get(path);
			assertThat(response.status()).as(path).isEqualTo(200);
			assertThat(response.header("Content-Security-Policy")).as(path)
				.contains("default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
				.doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
		}
		assertThat(FhirHttp.anonymous(this.port).get("/dashboard/").body()).doesNotContain("<script>")
			.doesNotContain("style=")
			.doesNotContain("http");
	}

	private void onTheRegister(String practice, String keyWorker) {
		String patient = "urn:uuid:" + UUID.randomUUID();
		String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"fullUrl\":\"" + patient
				+ "\",\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
				+ "\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"" + TestNhsNumbers.unused() + "\"}],"
				+ "\"birthDate\":\"1944-05-01\",\"generalPractitioner\":[{\"reference\":\"" + practice + "\"}]},"
				+ "\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},{\"fullUrl\":\"urn:uuid:" + UUID.randomUUID()
				+ "\",\"resource\":{\"resourceType\":\"EpisodeOfCare\",\"status\":\"active\",\"type\":[{\"coding\":[{"
				+ "\"system\":\"http://snomed.info/sct\",\"code\":\"103735009\"}]}],\"patient\":{\"reference\":\""
				+ patient + "\"},\"managingOrganization\":{\"reference\":\"" + practice + "\"},\"period\":{\"start\":"
				+ "\"2025-01-15\"}"
				+ ((keyWorker != null) ? ",\"careManager\":{\"reference\":\"" + keyWorker + "\"}" : "")
				+ "},\"request\":{\"method\":\"POST\",\"url\":\"EpisodeOfCare\"}}]}";
		Response stored = this.gp.post("/fhir", bundle);
		assertThat(stored.status()).as(stored.body()).isEqualTo(200);
	}

	private MeasureReport report(String measure) {
		Response response = FhirHttp.as(this.port, "icb-analyst")
			.get("/fhir/Measure/" + measure + "/$evaluate-measure?periodStart=" + PERIOD_START + "&periodEnd="
					+ PERIOD_END + "&practice=" + this.ods);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.resource(MeasureReport.class);
	}

	private static MeasureReportGroupComponent groupOf(MeasureReport report, String code) {
		return report.getGroup()
			.stream()
			.filter((group) -> code.equals(group.getCode().getCodingFirstRep().getCode()))
			.findFirst()
			.orElseThrow();
	}

	private static int count(MeasureReport report, String group, String population) {
		return groupOf(report, group).getPopulation()
			.stream()
			.filter((p) -> population.equals(p.getCode().getCodingFirstRep().getCode()))
			.findFirst()
			.orElseThrow()
			.getCount();
	}

	private static BigDecimal interval(MeasureReportGroupComponent group, String end) {
		org.hl7.fhir.r4.model.Range range = (org.hl7.fhir.r4.model.Range) group
			.getExtensionByUrl("https://fhir.openepaccs.org/StructureDefinition/epaccs-confidence-interval")
			.getValue();
		return ("low".equals(end) ? range.getLow() : range.getHigh()).getValue();
	}

	/** As a reader sees a proportion: a percentage with one decimal. */
	private static String percent(BigDecimal proportion) {
		return proportion.movePointRight(2).setScale(1, RoundingMode.HALF_UP).toPlainString() + "%";
	}

	private WebElement group(String measure, String code) {
		return this.browser
			.findElement(By.cssSelector("section[data-measure='" + measure + "'] div[data-group='" + code + "']"));
	}

	private WebElement field(String id) {
		return this.browser.findElement(By.id(id));
	}

	private void choose(String start, String end, String practices) {
		for (String[] value : new String[][] { { "period-start", start }, { "period-end", end },
				{ "practices", practices } }) {
			field(value[0]).clear();
			field(value[0]).sendKeys(value[1]);
		}
		field("show").click();
	}

	private void waitUntilShowing(String text) {
		new WebDriverWait(this.browser, Duration.ofSeconds(60))
			.until(ExpectedConditions.textToBePresentInElementLocated(By.id("showing"), text));
	}

	private void signInAs(String user, String password) {
		waitFor(By.id("username")).sendKeys(user);
		this.browser.findElement(By.id("password")).sendKeys(password);
		this.browser.findElement(By.cssSelector("button[type=submit]")).click();
		new WebDriverWait(this.browser, Duration.ofSeconds(30))
			.until(ExpectedConditions.or(ExpectedConditions.presenceOfElementLocated(By.id("allow")),
					ExpectedConditions.urlToBe("http://localhost:" + this.port + "/dashboard/")));
		this.browser.findElements(By.id("allow")).forEach(WebElement::click);
	}

	private WebElement waitFor(By locator) {
		return new WebDriverWait(this.browser, Duration.ofSeconds(60))
			.until(ExpectedConditions.visibilityOfElementLocated(locator));
	}

	private void screenshot(String name) {
		Browsers.screenshot(this.browser, "DashboardBrowserIT-" + name);
	}

}
