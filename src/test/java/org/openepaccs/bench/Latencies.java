package org.openepaccs.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Latencies of one mode of a benchmark, and the report of two modes side by side. */
final class Latencies {

	private final String mode;

	private final List<Long> nanos = new ArrayList<>();

	Latencies(String mode) {
		this.mode = mode;
	}

	void add(long elapsedNanos) {
		this.nanos.add(elapsedNanos);
	}

	int size() {
		return this.nanos.size();
	}

	double millisAt(int percentile) {
		long[] sorted = this.nanos.stream().mapToLong(Long::longValue).toArray();
		Arrays.sort(sorted);
		int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1_000_000.0;
	}

	String row() {
		return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f |", this.mode, millisAt(50), millisAt(95),
				millisAt(0), millisAt(100));
	}

	/** The machine's cores and memory, and the Java that runs the load. */
	static String machine() {
		long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getTotalMemorySize();
		return String.format(Locale.ROOT, "%d cores, %.1f GiB memory, Java %s",
				Runtime.getRuntime().availableProcessors(), memory / (1024.0 * 1024 * 1024),
				System.getProperty("java.version"));
	}

	/**
	 * Prints the table and writes it as {@code target/bench/<name>.md} and {@code .csv}.
	 */
	static void report(String name, String title, String setup, Latencies measured, Latencies baseline, String target)
			throws IOException {
		String table = String.format(Locale.ROOT, """
				# %s

				%s; PostgreSQL; %s

				| mode | median ms | p95 ms | min ms | max ms |
				|---|---|---|---|---|
				%s
				%s

				Ratio of medians (%s / %s): **%.2f×** (target %s).
				""", title, machine(), setup, measured.row(), baseline.row(), measured.mode, baseline.mode,
				measured.millisAt(50) / baseline.millisAt(50), target);
		System.out.println(table);
		Path folder = Path.of("target", "bench");
		Files.createDirectories(folder);
		Files.writeString(folder.resolve(name + ".md"), table);
		StringBuilder csv = new StringBuilder("mode,sample,millis\n");
		for (Latencies latencies : List.of(measured, baseline)) {
			for (int i = 0; i < latencies.nanos.size(); i++) {
				csv.append(String.format(Locale.ROOT, "%s,%d,%.3f%n", latencies.mode, i,
						latencies.nanos.get(i) / 1_000_000.0));
			}
		}
		Files.writeString(folder.resolve(name + ".csv"), csv);
	}

	/** The time one GET takes, in nanoseconds; anything but 200 fails the benchmark. */
	static long timedRead(org.openepaccs.testsupport.FhirHttp http, String path) {
		long started = System.nanoTime();
		org.openepaccs.testsupport.FhirHttp.Response response = http.get(path);
		long elapsed = System.nanoTime() - started;
		org.assertj.core.api.Assertions.assertThat(response.status()).as(response.body()).isEqualTo(200);
		return elapsed;
	}

}
