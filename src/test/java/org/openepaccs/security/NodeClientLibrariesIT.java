package org.openepaccs.security;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.TestNhsNumbers;
import org.openepaccs.testsupport.UnderCi;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real FHIR client libraries against this server, with the machine's Node and the
 * packages pinned in {@code src/test/js/package-lock.json}: {@code fhirclient} (SMART
 * discovery and an EHR launch) and {@code fhir-kit-client} (a transaction, paging to the
 * end, our operations); see {@code src/test/js/clients.test.js}. Under {@code CI=true}
 * they must run; elsewhere they are skipped, saying why, when Node is not installed.
 */
@EpaccsIntegrationTest
class NodeClientLibrariesIT {

	private static final Path PROJECT = Path.of("src", "test", "js");

	@LocalServerPort
	int port;

	@Test
	void fhirclientFhirKitClientAndMedplumWorkAgainstTheServer() throws Exception {
		String node = onPath("node");
		String npm = onPath("npm");
		UnderCi.require(node != null && npm != null,
				"the client library tests need Node 18+ and npm (apt-get install -y nodejs npm)");
		Path lock = PROJECT.resolve("package-lock.json");
		Path installedFrom = PROJECT.resolve("node_modules").resolve(".installed-from-package-lock.json");
		if (!Files.exists(installedFrom) || Files.mismatch(lock, installedFrom) != -1) {
			// exactly the versions of the lock file, again whenever the lock file changes
			assertThat(run(List.of(npm, "ci", "--no-audit", "--no-fund"), 600)).as("npm ci").isZero();
			Files.copy(lock, installedFrom, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		}

		int exit = run(List.of(node, "--test", "--test-reporter=spec", "clients.test.js"), 300);

		assertThat(exit).as("node --test clients.test.js (its output is above)").isZero();
	}

	private int run(List<String> command, int seconds) throws IOException, InterruptedException {
		Path log = Files.createTempFile("node-clients", ".log");
		ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().put("EPACCS_BASE", "http://localhost:" + this.port);
		builder.environment().put("EPACCS_TEST_NHS", TestNhsNumbers.unused());
		// the server listens on 127.0.0.1 only: localhost must not be tried as ::1 first
		builder.environment().put("NODE_OPTIONS", "--dns-result-order=ipv4first");
		Process process = builder.start();
		boolean finished = process.waitFor(seconds, TimeUnit.SECONDS);
		if (!finished) {
			process.destroyForcibly();
		}
		String output = Files.readString(log, StandardCharsets.UTF_8);
		System.out.println(output);
		Files.deleteIfExists(log);
		assertThat(finished).as(String.join(" ", command) + " finished within " + seconds + " s").isTrue();
		return process.exitValue();
	}

	private static String onPath(String program) {
		for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			File candidate = new File(folder, program);
			if (candidate.canExecute()) {
				return candidate.getPath();
			}
		}
		return null;
	}

}
