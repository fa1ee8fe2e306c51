package org.openepaccs.testsupport;

import java.io.File;
import java.util.List;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser tests: Debian's {@code chromium} and
 * {@code chromium-driver} (which {@code .ci/run} installs), never a browser or driver
 * downloaded at run time. Under {@code CI=true} a missing browser fails the test; on a
 * developer's machine without one the test is skipped and says what to install.
 */
public final class Browsers {

	private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

	private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

	private Browsers() {
	}

	public static WebDriver headlessChromium() {
		String browser = first(BROWSERS);
		String driver = first(DRIVERS);
		UnderCi.require(browser != null && driver != null,
				"the browser tests need Chromium and its driver: apt-get install -y chromium chromium-driver "
						+ "(looked for " + BROWSERS + " and " + DRIVERS + ")");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(browser);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1800",
				"--disable-gpu", "--no-first-run", "--lang=en-GB");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(driver))
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	private static String first(List<String> paths) {
		return paths.stream().filter((path) -> new File(path).canExecute()).findFirst().orElse(null);
	}

	/** Saves what the browser shows as {@code target/screenshots/<name>.png}. */
	public static void screenshot(WebDriver browser, String name) {
		try {
			java.nio.file.Path folder = java.nio.file.Path.of("target", "screenshots");
			java.nio.file.Files.createDirectories(folder);
			java.nio.file.Files.write(folder.resolve(name + ".png"), ((org.openqa.selenium.TakesScreenshot) browser)
				.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
