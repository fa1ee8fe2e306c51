package org.openepaccs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.AotLayout;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.Jdks;
import org.openepaccs.testsupport.ServerProcess;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server started as its container image starts it (docker/Dockerfile), without a
 * container engine: the packaged jar laid out by {@code docker/aot-cache.sh}, with the
 * ahead-of-time cache the script trains, on Java 25, on PostgreSQL. The cache is required
 * ({@code -XX:AOTMode=on}), so a cache the JVM could not use for these files fails the
 * start here instead of being passed over, as the image would pass it over
 * (docs/deployment.md, "Start-up").
 */
class ContainerStartIT {

	@Test
	void theJarLaidOutWithItsTrainedCacheStartsAndServesAGpSystem() throws Exception {
		Path jar = Path.of(System.getProperty("server.jar", "target/missing.jar"));
		assertThat(jar).as("the packaged server (the integration tests run after ./mvnw package)").isRegularFile();
		Path java = Jdks.java(Jdks.atLeast(25, "AOT_JAVA_HOME", "The container's ahead-of-time cache"));
		List<String> launcher = new ArrayList<>(List.of(java.toString(), "-Xmx768m", "-XX:AOTMode=on"));
		launcher.addAll(AotLayout.lay(jar, Path.of("target", "container-layout"), java));
		// started from another working directory than the training's: the cache must name
		// the same files from anywhere
		Path elsewhere = Files.createDirectories(Path.of("target", "servers"));
		try (ServerProcess server = ServerProcess
			.startLaunchedBy("container-layout", launcher, elsewhere, TestDatabase.server().createDatabase())
			.awaitReady(Duration.ofMinutes(5))) {
			FhirHttp gpSystem = FhirHttp.as(server.port(), "gp-system");
			Response created = gpSystem.post("/fhir/Patient",
					FhirHttp.json(new Patient().addName(new HumanName().setFamily("Cached"))));
			assertThat(created.status()).as(created.body()).isEqualTo(201);
			String id = created.header("Location").replaceAll(".*/fhir/(Patient/[^/]+)/_history/.*", "$1");

			Patient read = gpSystem.get("/fhir/" + id).resource(Patient.class);
			assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Cached");
		}
	}

}
