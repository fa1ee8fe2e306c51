package org.openepaccs.bench;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.openepaccs.common.TrainingRunExit;
import org.openepaccs.testsupport.AotLayout;
import org.openepaccs.testsupport.Jdks;
import org.openepaccs.testsupport.TestDatabase;
import plainhapi.PlainHapiServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up to ready of this server as its container image starts it (Java 25, the jar
 * laid out with the ahead-of-time cache {@code docker/aot-cache.sh} trains), as its jar
 * starts on Java 17 and on Java 25 without a cache, against plain HAPI
 * ({@link PlainHapiServer}) on Java 17, on Java 25, and on Java 25 with an ahead-of-time
 * cache of its own trained the same way (a start stopped at the context's refresh, on a
 * fresh database), alternating in one run, each start on a fresh database of its own and
 * then on the same database again. Needs the packaged jar ({@code ./mvnw package
 * -DskipTests} first; {@code -Dbench.jar=} for another) and a Java 25 (under
 * {@code /usr/lib/jvm} or {@code AOT_JAVA_HOME}).
 */
class StartUpBench {

	private static final int REPEATS = Integer.getInteger("bench.repeats", 3);

	private static final int HEAP_CAP_MIB = 1024;

	private static final String[] NAMES = { "plain HAPI, Java 17", "plain HAPI, Java 25",
			"plain HAPI, Java 25 and a cache of its own", "this server's jar, Java 17",
			"this server's jar, Java 25, no cache", "this server as the image starts it, Java 25 and its cache" };

	private static final int PLAIN_17 = 0;

	private static final int PLAIN_25 = 1;

	private static final int PLAIN_CACHED = 2;

	@Test
	void theImageAgainstPlainHapi() throws Exception {
		Path jar = Path.of(System.getProperty("bench.jar", System.getProperty("server.jar", "target/missing.jar")));
		assertThat(jar).as("the packaged server: ./mvnw package -DskipTests first, or -Dbench.jar=").isRegularFile();
		Path java25 = Jdks.java(Jdks.atLeast(25, "AOT_JAVA_HOME", "The image's ahead-of-time cache"));
		Path java17 = Path.of(ProcessHandle.current().info().command().orElse("java"));
		List<String> image = AotLayout.lay(jar, Path.of("target", "bench", "container-layout"), java25);
		List<String> plainCached = plainHapiWithItsOwnCache(java25);
		List<List<String>> launchers = List.of(plainHapi(), plainHapi(), plainCached, List.of("-jar", jar.toString()),
				List.of("-jar", jar.toString()), image);
		List<Path> javas = List.of(java17, java25, java25, java17, java25, java25);

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
				+ " MiB; seconds, medians (lowest–highest); ratios of the medians\n\n"
				+ "| server | fresh database | same database again | fresh / plain HAPI, Java 17 | fresh / plain HAPI, "
				+ "Java 25 | fresh / plain HAPI, Java 25 and cache | again / plain HAPI, Java 17 | again / plain HAPI, "
				+ "Java 25 | again / plain HAPI, Java 25 and cache |\n|---|---|---|---|---|---|---|---|---|\n");
		for (int s = 0; s < NAMES.length; s++) {
			table
				.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× |%n",
						NAMES[s], Medians.spread(fresh[s]), Medians.spread(again[s]), ratio(fresh, s, PLAIN_17),
						ratio(fresh, s, PLAIN_25), ratio(fresh, s, PLAIN_CACHED), ratio(again, s, PLAIN_17),
						ratio(again, s, PLAIN_25), ratio(again, s, PLAIN_CACHED)));
		}
		System.out.println(table);
		Files.writeString(Path.of("target", "bench", "start-up.md"), table);
	}

	private static List<String> plainHapi() {
		return List.of("-cp", System.getProperty("java.class.path"), PlainHapiServer.class.getName());
	}

	/**
	 * Plain HAPI with a cache trained as {@code docker/aot-cache.sh} trains this
	 * server's. A cache holds classes from jars only, so plain HAPI's classes go into a
	 * jar of their own, beside the test class path's jars.
	 */
	private static List<String> plainHapiWithItsOwnCache(Path java) throws Exception {
		Path folder = Files.createDirectories(Path.of("target", "bench", "plain-hapi-cached").toAbsolutePath());
		Path plainJar = folder.resolve("plain-hapi.jar");
		Path classes = Path.of(PlainHapiServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		try (OutputStream file = Files.newOutputStream(plainJar);
				JarOutputStream out = new JarOutputStream(file);
				Stream<Path> walk = Files.walk(classes.resolve("plainhapi"))) {
			List<Path> entries = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
			entries.add(classes.resolve("plain-hapi.yaml"));
			for (Path entry : entries) {
				out.putNextEntry(new JarEntry(classes.relativize(entry).toString().replace(File.separatorChar, '/')));
				Files.copy(entry, out);
				out.closeEntry();
			}
			// the hook that ends a training start, which plain HAPI's imports (off unless
			// epaccs.training-run is set), from the main classes
			Path mainClasses = Path
				.of(TrainingRunExit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			Path hook = mainClasses.resolve(TrainingRunExit.class.getName().replace('.', '/') + ".class");
			out.putNextEntry(new JarEntry(mainClasses.relativize(hook).toString().replace(File.separatorChar, '/')));
			Files.copy(hook, out);
			out.closeEntry();
		}
		List<String> classPath = new ArrayList<>(List.of(plainJar.toString()));
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			if (entry.endsWith(".jar")) {
				classPath.add(entry);
			}
		}
		Path cache = folder.resolve("plain-hapi.aot");
		Files.deleteIfExists(cache);
		List<String> options = List.of("-XX:+UseG1GC", "-cp", String.join(File.pathSeparator, classPath));
		TestDatabase postgres = TestDatabase.server();
		List<String> training = new ArrayList<>(
				List.of(java.toString(), "-XX:AOTCacheOutput=" + cache, "-Xlog:aot*=error"));
		training.addAll(options);
		// trained as the script trains this server's: through to readiness and one
		// request
		training.addAll(List.of(PlainHapiServer.class.getName(), "--server.port=0", "--epaccs.training-run=true",
				"--spring.datasource.url=" + postgres.createDatabase(),
				"--spring.datasource.username=" + postgres.user(),
				"--spring.datasource.password=" + postgres.password()));
		Path log = folder.resolve("training.log");
		AotLayout.train(training, log);
		assertThat(cache).as("plain HAPI's cache; see " + log).isNotEmptyFile();
		List<String> launcher = new ArrayList<>(List.of("-XX:AOTCache=" + cache));
		launcher.addAll(options);
		launcher.add(PlainHapiServer.class.getName());
		return launcher;
	}

	private static double ratio(double[][] seconds, int server, int baseline) {
		return Medians.of(seconds[server]) / Medians.of(seconds[baseline]);
	}

}
