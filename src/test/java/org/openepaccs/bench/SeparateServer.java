package org.openepaccs.bench;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.openepaccs.EpaccsApplication;
import plainhapi.PlainHapiServer;
import org.openepaccs.testsupport.TestDatabase;

/**
 * The server in a JVM of its own, with a heap cap, as it is deployed: its memory is its
 * own, and the load generator's threads and garbage do not share its heap or its
 * collections. Its G1 log gives the heap before and after each collection; its resident
 * set is read from {@code /proc}. Started from the test class path, so it runs the code
 * just compiled; its log is {@code target/bench/{name}.log}.
 */
final class SeparateServer implements AutoCloseable {

	/**
	 * A young or full collection's pause ("Pause Young (Normal) (G1 Evacuation Pause)
	 * 60M->12M(256M) 3.456ms"); the concurrent cycle's Remark and Cleanup pauses free
	 * nothing themselves and are left out of the heap figures.
	 */
	private static final Pattern COLLECTION = Pattern
		.compile("Pause (?:Young|Full).* (\\d+)M->(\\d+)M\\((\\d+)M\\) ([\\d.]+)ms");

	private final Process process;

	private final int port;

	private final Path gcLog;

	private final long started = System.nanoTime();

	private double startUpSeconds;

	private SeparateServer(Process process, int port, Path gcLog) {
		this.process = process;
		this.port = port;
		this.gcLog = gcLog;
	}

	/**
	 * Started on this database as deployed (every feature on, unless the arguments say
	 * otherwise), and ready.
	 */
	static SeparateServer start(String jdbcUrl, int heapMiB, String name, String... moreArguments) throws Exception {
		return start(List.of("-cp", System.getProperty("java.class.path"), EpaccsApplication.class.getName()), jdbcUrl,
				heapMiB, name, moreArguments);
	}

	/**
	 * Started from a jar of another build (an earlier commit, for a before-and-after
	 * figure in one run), otherwise as {@link #start(String, int, String, String...)}.
	 */
	static SeparateServer startJar(Path jar, String jdbcUrl, int heapMiB, String name, String... moreArguments)
			throws Exception {
		return start(List.of("-jar", jar.toString()), jdbcUrl, heapMiB, name, moreArguments);
	}

	/**
	 * Plain HAPI ({@link PlainHapiServer}) on this database, ready: the baseline of
	 * HAPI's own defaults, without anything of this project.
	 */
	static SeparateServer startPlainHapi(String jdbcUrl, int heapMiB, String name) throws Exception {
		return start(List.of("-cp", System.getProperty("java.class.path"), PlainHapiServer.class.getName()), jdbcUrl,
				heapMiB, name);
	}

	/**
	 * Started by this Java and launcher ({@code -jar} or a class path and main class)
	 * instead of the Java running the benchmark, otherwise as
	 * {@link #start(String, int, String, String...)}.
	 */
	static SeparateServer startWith(Path java, List<String> launcher, String jdbcUrl, int heapMiB, String name,
			String... moreArguments) throws Exception {
		return start(java.toString(), launcher, jdbcUrl, heapMiB, name, moreArguments);
	}

	private static SeparateServer start(List<String> launcher, String jdbcUrl, int heapMiB, String name,
			String... moreArguments) throws Exception {
		return start(ProcessHandle.current().info().command().orElse("java"), launcher, jdbcUrl, heapMiB, name,
				moreArguments);
	}

	private static SeparateServer start(String java, List<String> launcher, String jdbcUrl, int heapMiB, String name,
			String... moreArguments) throws Exception {
		Path folder = Files.createDirectories(Path.of("target", "bench"));
		Path gcLog = folder.resolve(name + "-gc.log");
		Files.deleteIfExists(gcLog);
		int port;
		try (ServerSocket free = new ServerSocket(0)) {
			port = free.getLocalPort();
		}
		TestDatabase postgres = TestDatabase.server();
		List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heapMiB + "m", "-Xlog:gc:file=" + gcLog));
		command.addAll(launcher);
		// the demo profile gives this build its token issuer; the flag gives it to a jar
		// built before the demo profile existed
		command.addAll(List.of("--server.port=" + port, "--spring.profiles.active=postgres,demo",
				"--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=" + postgres.user(),
				"--spring.datasource.password=" + postgres.password(),
				"--epaccs.security.embedded-issuer.enabled=true"));
		command.addAll(List.of(moreArguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(folder.resolve(name + ".log").toFile())
			.start();
		SeparateServer server = new SeparateServer(process, port, gcLog);
		// a stopped benchmark must not leave a server running
		Thread stop = new Thread(process::destroyForcibly);
		Runtime.getRuntime().addShutdownHook(stop);
		try {
			server.awaitReady(Duration.ofMinutes(10), name);
		}
		catch (Exception | Error ex) {
			server.close();
			throw ex;
		}
		server.startUpSeconds = server.seconds();
		return server;
	}

	int port() {
		return this.port;
	}

	/** Since it was started. */
	double seconds() {
		return (System.nanoTime() - this.started) / 1e9;
	}

	/** From start to ready (readiness probe up). */
	double startUpSeconds() {
		return this.startUpSeconds;
	}

	/** Processor time the process has used so far, user and system, seconds. */
	double cpuSeconds() {
		return ProcessorTime.ofProcess(this.process.pid());
	}

	/** The largest resident set the process has had, MiB: the kernel keeps its peak. */
	double rssPeakMiB() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", Long.toString(this.process.pid()), "status"))) {
				if (line.startsWith("VmHWM:")) {
					return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
				}
			}
		}
		catch (IOException ended) {
			// the process has ended, or this is not Linux
		}
		return Double.NaN;
	}

	/** Heap figures from the collector's log, MiB and seconds. */
	Heap heap() throws IOException {
		double before = 0;
		double after = 0;
		double committed = 0;
		double pauses = 0;
		int collections = 0;
		for (String line : Files.readAllLines(this.gcLog)) {
			Matcher collection = COLLECTION.matcher(line);
			if (collection.find()) {
				before = Math.max(before, Double.parseDouble(collection.group(1)));
				after = Math.max(after, Double.parseDouble(collection.group(2)));
				committed = Math.max(committed, Double.parseDouble(collection.group(3)));
				pauses += Double.parseDouble(collection.group(4)) / 1000;
				collections++;
			}
		}
		return new Heap(before, after, committed, pauses, collections);
	}

	/**
	 * @param peakUsed the most the heap held, just before a collection
	 * @param peakAfterCollection the most still held after one (what the server keeps
	 * live, with what survived young collections)
	 * @param peakCommitted the heap the JVM took from the system
	 * @param pauseSeconds all collection pauses together
	 */
	record Heap(double peakUsed, double peakAfterCollection, double peakCommitted, double pauseSeconds,
			int collections) {

	}

	/**
	 * What the heap holds that is still in use, MiB: the class histogram's total, which
	 * the JVM takes after a full collection (so call it once the work is done).
	 */
	double liveHeapMiB() throws IOException, InterruptedException {
		Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
		Process histogram = new ProcessBuilder(jcmd.toString(), Long.toString(this.process.pid()), "GC.class_histogram")
			.redirectErrorStream(true)
			.start();
		String output = new String(histogram.getInputStream().readAllBytes());
		histogram.waitFor();
		Matcher total = Pattern.compile("Total\\s+\\d+\\s+(\\d+)").matcher(output);
		return total.find() ? Long.parseLong(total.group(1)) / (1024.0 * 1024.0) : Double.NaN;
	}

	private void awaitReady(Duration most, String name) {
		HttpClient http = HttpClient.newHttpClient();
		try {
			Awaitility.await("the " + name + " server ready")
				.atMost(most)
				.pollInterval(Duration.ofMillis(250))
				.until(() -> {
					if (!this.process.isAlive()) {
						throw new IllegalStateException(
								"The " + name + " server stopped while starting; see target/bench/" + name + ".log");
					}
					return ready(http);
				});
		}
		catch (ConditionTimeoutException ex) {
			throw new IllegalStateException("The " + name + " server was not ready within " + most, ex);
		}
	}

	private boolean ready(HttpClient http) throws InterruptedException {
		try {
			return http
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/health/readiness"))
					.build(), HttpResponse.BodyHandlers.discarding())
				.statusCode() == 200;
		}
		catch (IOException notYet) {
			// not listening yet
			return false;
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor();
		}
	}

}
