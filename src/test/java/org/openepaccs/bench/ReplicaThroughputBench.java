package org.openepaccs.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.FhirHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The out-of-hours summary's saturated throughput from one replica and from two on one
 * database (issue 22), measured alternately in one run, with where the processors' time
 * went: the servers, PostgreSQL, and this JVM's clients. On a machine whose processors
 * the replicas share, two replicas cannot do much more than one; the processor time per
 * request says what a machine for each would add. Writes
 * {@code target/bench/replicas.md}.
 * <p>
 * {@code EPACCS_TEST_DB_URL=… ./mvnw -Pbench test -Dtest=ReplicaThroughputBench} with
 * {@code -Dbench.people=} (default 2000), {@code -Dbench.repeats=} (default 3),
 * {@code -Dbench.seconds=} (default 30), {@code -Dbench.clients=} (default 8, shared out
 * over the replicas) and {@code -Dbench.database=name} to keep the population between
 * runs.
 */
class ReplicaThroughputBench {

	private static final int PEOPLE = Integer.getInteger("bench.people", 2000);

	private static final int REPEATS = Integer.getInteger("bench.repeats", 3);

	private static final int SECONDS = Integer.getInteger("bench.seconds", 30);

	private static final int CLIENTS = Integer.getInteger("bench.clients", 8);

	private static final int WARM_UPS = Integer.getInteger("bench.warmUps", 4);

	private static final int HEAP_CAP_MIB = 1024;

	@Test
	void oneReplicaAgainstTwo() throws Exception {
		String kept = System.getProperty("bench.database", "");
		String database = BeforeAfterBench.database(kept);
		List<String> sharing = BeforeAfterBench.sharingNhsNumbers(PEOPLE);
		Function<String, String> summary = (nhs) -> "/fhir/Patient/$epaccs-summary?identifier=" + NhsNumber.SYSTEM
				+ "%7C" + nhs;
		BeforeAfterBench.loadIfShort(database, kept, PEOPLE);
		List<Run> one = new ArrayList<>();
		List<Run> two = new ArrayList<>();
		try (SeparateServer a = SeparateServer.start(database, HEAP_CAP_MIB, "replica-a");
				SeparateServer b = SeparateServer.start(database, HEAP_CAP_MIB, "replica-b")) {
			// a replica's processor time a request still falls after two minutes of
			// summaries (JIT compilation), which would count against two replicas twice
			for (int w = 0; w < WARM_UPS; w++) {
				for (SeparateServer server : List.of(a, b)) {
					SuiteBench.warmUp(FhirHttp.as(server.port(), "ooh-clinician"), sharing, "summary", summary);
				}
			}
			for (int r = 0; r < REPEATS; r++) {
				one.add(measure(List.of(a), sharing, summary));
				two.add(measure(List.of(a, b), sharing, summary));
				System.out.println("one replica: " + one.get(r) + "\ntwo replicas: " + two.get(r));
			}
		}
		Run oneMedian = Run.median(one);
		Run twoMedian = Run.median(two);
		String table = "# One replica against two on one database\n\n" + Latencies.machine() + "\n\n" + PEOPLE
				+ " people; OOH summary by NHS number, " + CLIENTS + " clients shared out over the replicas, " + SECONDS
				+ " s a run, " + REPEATS + " runs each, alternating; the run with the median rate (each "
				+ "replica warmed up first with " + WARM_UPS
				+ " runs of its own). Processor time is per request, milliseconds, summed over the "
				+ "processes of each kind; machine busy is the share of both processors' time.\n\n"
				+ "| replicas | req/s | servers ms/req | PostgreSQL ms/req | clients ms/req | machine busy |\n"
				+ "|---|---|---|---|---|---|\n" + oneMedian.row("one") + twoMedian.row("two")
				+ String.format(Locale.ROOT, "%nTwo against one, this machine: %.2f×%n",
						twoMedian.rate / oneMedian.rate)
				+ String.format(Locale.ROOT,
						"%nA machine like this one for each replica and one for PostgreSQL, bound by processor time "
								+ "alone (%d processors a machine, the clients elsewhere): one replica %.0f req/s, "
								+ "two %.0f req/s (%.2f×) at the processor time a request measured with two, %.0f req/s "
								+ "(%.2f×) at one's; PostgreSQL alone would stop at %.0f req/s.%n",
						PROCESSORS, oneMedian.bound(1), twoMedian.bound(2), twoMedian.bound(2) / oneMedian.bound(1),
						oneMedian.bound(2), oneMedian.bound(2) / oneMedian.bound(1),
						PROCESSORS * 1000 / twoMedian.postgresMillis);
		System.out.println(table);
		Files.createDirectories(Path.of("target", "bench"));
		Files.writeString(Path.of("target", "bench", "replicas.md"), table);
		assertThat(oneMedian.rate).as("summaries answered by one replica").isPositive();
		assertThat(twoMedian.rate).as("summaries answered by two replicas").isPositive();
	}

	private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

	/**
	 * {@link #CLIENTS} clients for {@link #SECONDS}, client {@code c} asking replica
	 * {@code c % serving}; the processor time of the serving replicas is counted (the
	 * idle one's background work, a few timers, is left out of one replica's figures).
	 */
	private static Run measure(List<SeparateServer> serving, List<String> people, Function<String, String> path)
			throws Exception {
		double serversBefore = serving.stream().mapToDouble(SeparateServer::cpuSeconds).sum();
		double postgresBefore = ProcessorTime.ofPostgres();
		double clientsBefore = clientSeconds();
		double[] machineBefore = ProcessorTime.ofMachine();
		long started = System.nanoTime();
		int requests = PlanSummaryBench.served(
				serving.stream().map((server) -> FhirHttp.as(server.port(), "ooh-clinician")).toList(), CLIENTS,
				SECONDS, people, path);
		double elapsed = (System.nanoTime() - started) / 1e9;
		double[] machineAfter = ProcessorTime.ofMachine();
		double perRequest = 1000.0 / requests;
		return new Run(requests / elapsed,
				(serving.stream().mapToDouble(SeparateServer::cpuSeconds).sum() - serversBefore) * perRequest,
				(ProcessorTime.ofPostgres() - postgresBefore) * perRequest,
				(clientSeconds() - clientsBefore) * perRequest,
				(machineAfter[0] - machineBefore[0]) / (machineAfter[1] - machineBefore[1]), serving.size());
	}

	private static double clientSeconds() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime() / 1e9;
	}

	/**
	 * One run's figures.
	 *
	 * @param rate requests answered a second
	 * @param serverMillis the replicas' processor time a request
	 * @param postgresMillis PostgreSQL's processor time a request
	 * @param clientMillis the clients' processor time a request
	 * @param busy the machine's busy share of its processors' time
	 * @param replicas how many replicas served
	 */
	record Run(double rate, double serverMillis, double postgresMillis, double clientMillis, double busy,
			int replicas) {

		static Run median(List<Run> runs) {
			List<Run> sorted = new ArrayList<>(runs);
			sorted.sort(java.util.Comparator.comparingDouble(Run::rate));
			return sorted.get(sorted.size() / 2);
		}

		/**
		 * Requests a second that processor time allows with each replica on a machine of
		 * {@link #PROCESSORS} processors and PostgreSQL on another: the replicas' time
		 * spread over their machines, or PostgreSQL's, whichever binds first.
		 */
		double bound(int machines) {
			double servers = machines * PROCESSORS * 1000 / this.serverMillis;
			double postgres = PROCESSORS * 1000 / this.postgresMillis;
			return Math.min(servers, postgres);
		}

		String row(String replicas) {
			return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.0f%% |%n", replicas, this.rate,
					this.serverMillis, this.postgresMillis, this.clientMillis, this.busy * 100);
		}

		@Override
		public String toString() {
			return String.format(Locale.ROOT,
					"%.1f req/s, servers %.1f ms/req, PostgreSQL %.1f ms/req, clients %.1f ms/req, machine %.0f%% busy",
					this.rate, this.serverMillis, this.postgresMillis, this.clientMillis, this.busy * 100);
		}

	}

}
