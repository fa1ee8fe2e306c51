package org.openepaccs.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.openepaccs.EpaccsApplication;

/**
 * The server in a JVM of its own, started from the test class path as a deployer starts
 * the jar, or by a launcher of the test's choosing such as the container's
 * ({@code postgres} and {@code demo} profiles, a port of its own), so that several can
 * run against one database as replicas, and one can be killed as a machine or a container
 * is: without a chance to finish anything. Its log is {@code target/servers/<name>.log}.
 */
public final class ServerProcess implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final String name;

	private final Process process;

	private final int port;

	private final Path log;

	private ServerProcess(String name, Process process, int port, Path log) {
		this.name = name;
		this.process = process;
		this.port = port;
		this.log = log;
	}

	/** Starts the server and returns at once; see {@link #awaitReady(Duration)}. */
	public static ServerProcess start(String name, String jdbcUrl, String... moreArguments) throws IOException {
		return startWithProfiles(name, "postgres,demo", jdbcUrl, moreArguments);
	}

	/**
	 * Starts the server with these Spring profiles ({@code postgres} without {@code demo}
	 * for a server that trusts an external issuer) and returns at once.
	 */
	public static ServerProcess startWithProfiles(String name, String profiles, String jdbcUrl, String... moreArguments)
			throws IOException {
		return start(name, List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx768m",
				// the JIT's first tier only: several servers start at once on a small
				// machine, and these tests are about what they answer, not how fast
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				EpaccsApplication.class.getName()), Path.of(""), profiles, jdbcUrl, moreArguments);
	}

	/**
	 * Starts the server as this launcher starts it (a {@code java} with its options and
	 * {@code -jar} or a main class: a jar as a container runs it), with the
	 * {@code postgres} and {@code demo} profiles, and returns at once.
	 */
	public static ServerProcess startLaunchedBy(String name, List<String> launcher, Path workingDirectory,
			String jdbcUrl, String... moreArguments) throws IOException {
		return start(name, launcher, workingDirectory, "postgres,demo", jdbcUrl, moreArguments);
	}

	private static ServerProcess start(String name, List<String> launcher, Path workingDirectory, String profiles,
			String jdbcUrl, String... moreArguments) throws IOException {
		Path folder = Files.createDirectories(Path.of("target", "servers"));
		Path log = folder.resolve(name + ".log");
		int port;
		try (ServerSocket free = new ServerSocket(0)) {
			port = free.getLocalPort();
		}
		TestDatabase postgres = TestDatabase.server();
		List<String> command = new ArrayList<>(launcher);
		command.addAll(List.of("--server.port=" + port, "--spring.profiles.active=" + profiles,
				"--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=" + postgres.user(),
				"--spring.datasource.password=" + postgres.password()));
		command.addAll(List.of(moreArguments));
		Process process = new ProcessBuilder(command).directory(workingDirectory.toAbsolutePath().toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		// a test run that stops early must not leave servers running
		Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
		return new ServerProcess(name, process, port, log);
	}

	/**
	 * Waits until the readiness probe answers UP; fails at once, naming the log, if the
	 * server stops meanwhile.
	 */
	public ServerProcess awaitReady(Duration most) {
		try {
			Awaitility.await("server " + this.name + " ready")
				.atMost(most)
				.pollInterval(Duration.ofMillis(200))
				.until(() -> {
					if (!this.process.isAlive()) {
						throw new IllegalStateException("Server " + this.name + " stopped while starting (exit "
								+ this.process.exitValue() + "); see " + this.log.toAbsolutePath());
					}
					return ready();
				});
		}
		catch (ConditionTimeoutException ex) {
			throw new IllegalStateException(
					"Server " + this.name + " not ready within " + most + "; see " + this.log.toAbsolutePath(), ex);
		}
		return this;
	}

	private boolean ready() throws InterruptedException {
		try {
			return http
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/health/readiness"))
					.timeout(Duration.ofSeconds(5))
					.build(), HttpResponse.BodyHandlers.discarding())
				.statusCode() == 200;
		}
		catch (IOException notYet) {
			return false;
		}
	}

	public int port() {
		return this.port;
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/** The server's log so far. */
	public String log() throws IOException {
		return Files.readString(this.log);
	}

	/** Ends the process at once (SIGKILL), as a machine or container that dies. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
	}

	/**
	 * Asks the server to stop (SIGTERM: a graceful shutdown), forcing it after a minute.
	 */
	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		}
	}

}
