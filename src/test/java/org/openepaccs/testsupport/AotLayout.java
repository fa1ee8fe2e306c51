package org.openepaccs.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar laid out with its ahead-of-time cache by {@code docker/aot-cache.sh},
 * as the container image's build lays it out, for a test or a benchmark to start the
 * server as the image starts it.
 */
public final class AotLayout {

	private AotLayout() {
	}

	/**
	 * Runs the script into this folder with this Java and fails, naming its log, if it
	 * does not finish within ten minutes or does not succeed; a script that has to be
	 * given up on is ended with the JVMs it started.
	 * @return what follows the Java in the command that starts the server from the layout
	 * with its cache, as the image's entry point has it ({@code -XX:AOTCache=…} and
	 * {@code -jar}, with absolute paths)
	 */
	public static List<String> lay(Path jar, Path layout, Path java) throws Exception {
		Path log = Files.createDirectories(Path.of("target", "servers")).resolve("aot-training.log");
		Process training = new ProcessBuilder("sh", "docker/aot-cache.sh", jar.toString(), layout.toString(),
				java.toString())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			assertThat(training.waitFor(10, TimeUnit.MINUTES)).as("training finished; see " + log).isTrue();
		}
		finally {
			training.descendants().forEach(ProcessHandle::destroyForcibly);
			training.destroyForcibly();
		}
		assertThat(training.exitValue()).as("training's exit; see " + log).isZero();
		Path absolute = layout.toAbsolutePath();
		return List.of("-XX:+UseG1GC", "-XX:AOTCache=" + absolute.resolve("app.aot"), "-jar",
				absolute.resolve(jar.getFileName()).toString());
	}

}
