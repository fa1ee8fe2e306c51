package org.openepaccs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.Jdks;
import org.openepaccs.testsupport.TestDatabase;
import plainhapi.PlainHapiServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up to ready of this server as its container image starts it (Java 25, the jar
 * laid out with the ahead-of-time cache {@code docker/aot-cache.sh} trains) and as its
 * jar starts on Java 17, against plain HAPI ({@link PlainHapiServer}) on Java 17 and on
 * Java 25, alternating in one run, each start on a fresh database of its own and then on
 * the same database again. Needs the packaged jar ({@code ./mvnw package -DskipTests}
 * first, or {@code -Dbench.jar=}) and a Java 25 (under {@code /usr/lib/jvm} or
 * {@code AOT_JAVA_HOME}).
 */
class StartUpBench {

	private static final int REPEATS = Integer.getInteger("bench.repeats", 3);

	private static final int HEAP_CAP_MIB = 1024;

	private static final String[] NAMES = { "plain HAPI, Java 17", "plain HAPI, Java 25", "this server's jar, Java 17",
			"this server as the image starts it, Java 25 and its cache" };

	private static final int PLAIN_17 = 0;

	private static final int PLAIN_25 = 1;

	@Test
	void theImageAgainstPlainHapi() throws Exception {
		Path jar = Path.of(System.getProperty("bench.jar", "target/epaccs-fhir-server-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the packaged server: ./mvnw package -DskipTests first, or -Dbench.jar=").isRegularFile();
		Path java25 = Jdks.java(Jdks.atLeast(25, "AOT_JAVA_HOME", "The image's ahead-of-time cache"));
		Path java17 = Path.of(ProcessHandle.current().info().command().orElse("java"));
		Path layout = Path.of("target", "bench", "container-layout");
		lay(jar, layout, java25);
		List<List<String>> launchers = List.of(plainHapi(), plainHapi(), List.of("-jar", jar.toString()), List
			.of("-XX:AOTCache=" + layout.resolve("app.aot"), "-jar", layout.resolve(jar.getFileName()).toString()));
		List<Path> javas = List.of(java17, java25, java17, java25);

		double[][] fresh = new double[NAMES.length][REPEATS];
		double[][] again = new double[NAMES.length][REPEATS];
		for (int r = 0; r < REPEATS; r++) {
			for (int s = 0; s < NAMES.length; s++) {
				String database = TestDatabase.server().createDatabase();
				String name = "start-up-" + s;
				try (SeparateServer server = SeparateServer.startWith(javas.get(s), launchers.get(s), database,
						HEAP_CAP_MIB, name)) {
					fresh[s][r] = server.startUpSeconds();
				}
				try (SeparateServer server = SeparateServer.startWith(javas.get(s), launchers.get(s), database,
						HEAP_CAP_MIB, name)) {
					again[s][r] = server.startUpSeconds();
				}
			}
		}
		StringBuilder table = new StringBuilder("# Start-up to ready against plain HAPI\n\n" + Latencies.machine()
				+ "\n\n" + REPEATS + " runs each, alternating, heap capped at " + HEAP_CAP_MIB
				+ " MiB; seconds, medians (lowest–highest)\n\n"
				+ "| server | fresh database | same database again | fresh / plain HAPI on Java 17 | fresh / plain HAPI "
				+ "on Java 25 | again / plain HAPI on Java 17 | again / plain HAPI on Java 25 |\n"
				+ "|---|---|---|---|---|---|---|\n");
		for (int s = 0; s < NAMES.length; s++) {
			table.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f× | %.2f× | %.2f× | %.2f× |%n", NAMES[s],
					PlainHapiBench.spread(fresh[s]), PlainHapiBench.spread(again[s]), ratio(fresh, s, PLAIN_17),
					ratio(fresh, s, PLAIN_25), ratio(again, s, PLAIN_17), ratio(again, s, PLAIN_25)));
		}
		System.out.println(table);
		Files.writeString(Path.of("target", "bench", "start-up.md"), table);
	}

	/** The layout and cache, as the image's build makes them. */
	private static void lay(Path jar, Path layout, Path java) throws Exception {
		Path log = Files.createDirectories(layout.getParent()).resolve("aot-training.log");
		Process training = new ProcessBuilder("sh", "docker/aot-cache.sh", jar.toString(), layout.toString(),
				java.toString())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		assertThat(training.waitFor(10, TimeUnit.MINUTES)).as("training finished; see " + log).isTrue();
		assertThat(training.exitValue()).as("training's exit; see " + log).isZero();
	}

	private static List<String> plainHapi() {
		return List.of("-cp", System.getProperty("java.class.path"), PlainHapiServer.class.getName());
	}

	private static double ratio(double[][] seconds, int server, int baseline) {
		return PlainHapiBench.median(seconds[server]) / PlainHapiBench.median(seconds[baseline]);
	}

}
