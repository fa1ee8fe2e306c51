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
	 * Runs the script into this folder with this Java (see {@link #train}).
	 * @return what follows the Java in the command that starts the server from the layout
	 * with its cache, as the image's entry point has it ({@code -XX:AOTCache=…} and
	 * {@code -jar}, with absolute paths)
	 */
	public static List<String> lay(Path jar, Path layout, Path java) throws Exception {
		Path log = Files.createDirectories(Path.of("target", "servers")).resolve("aot-training.log");
		train(List.of("sh", "docker/aot-cache.sh", jar.toString(), layout.toString(), java.toString()), log);
		Path absolute = layout.toAbsolutePath();
		return List.of("-XX:+UseG1GC", "-XX:AOTCache=" + absolute.resolve("app.aot"), "-jar",
				absolute.resolve(jar.getFileName()).toString());
	}

	/**
	 * Runs a training command to its end, its output in this log, and fails, naming the
	 * log, if it does not finish within ten minutes or does not succeed; one that has to
	 * be given up on is ended with the JVMs it started.
	 */
	public static void train(List<String> command, Path log) throws Exception {
		Process training = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			assertThat(training.waitFor(10, TimeUnit.MINUTES)).as("training finished; see " + log).isTrue();
		}
		finally {
			training.descendants().forEach(ProcessHandle::destroyForcibly);
			training.destroyForcibly();
		}
		assertThat(training.exitValue()).as("training's exit; see " + log).isZero();
	}

}
