package org.openepaccs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.openepaccs.population.PopulationCommand;
import org.openepaccs.population.SyntheticPopulation;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The out-of-hours summary against {@code Patient/$everything} for the same people, in
 * the same run, on PostgreSQL: latency at a steady 20 requests/s (open loop: each request
 * is timed from when it was due, so a slow answer also counts against the ones queued
 * behind it), then throughput with 8 clients as fast as they go. Each request is for a
 * different person, so no search cache flatters either. Run with
 * {@code ./mvnw -Pbench test -Dtest=PlanSummaryBench} ({@code -Dbench.people=},
 * {@code -Dbench.seconds=}, and {@code -Dbench.database=} for a database SuiteBench has
 * loaded with that many people).
 */
class PlanSummaryBench {

	private static final int PEOPLE = Integer.getInteger("bench.people", 1000);

	private static final int SECONDS = Integer.getInteger("bench.seconds", 30);

	private static final int RATE = 20;

	private static final int CLIENTS = 8;

	@Test
	void summaryVersusEverything() throws Exception {
		String kept = System.getProperty("bench.database", "");
		String database = kept.isBlank() ? TestDatabase.server().createDatabase()
				: TestDatabase.server().keptDatabase(kept);
		try (RunningServer server = RunningServer.startOnPostgres(database)) {
			FhirHttp ooh = FhirHttp.as(server.port(), "ooh-clinician");
			// a kept database holds the population already (SuiteBench loads it)
			List<String> people = kept.isBlank() ? load(server) : sharing();
			String byNumber = "/fhir/Patient/$epaccs-summary?identifier=" + NhsNumber.SYSTEM + "%7C";
			Function<String, String> summaryOf = (person) -> byNumber + person.split(" ")[1];
			Function<String, String> everythingOf = (person) -> "/fhir/Patient/" + person.split(" ")[0]
					+ "/$everything?_count=100";
			// unmeasured closed-loop runs first: a fresh server's first few
			// hundred requests of a kind measure the JIT (SuiteBench.warmUp)
			saturation(ooh, people, summaryOf);
			saturation(ooh, people, everythingOf);
			double summaryRate = saturation(ooh, people, summaryOf);
			double everythingRate = saturation(ooh, people, everythingOf);
			Latencies summary = openLoop(ooh, people, "$epaccs-summary", summaryOf);
			// twenty requests a second to a server that answers fewer only
			// builds a queue, until requests run out of their budget (with
			// 100,000 people $everything answered 19 a second at saturation)
			Latencies everything = (everythingRate > RATE)
					? openLoop(ooh, people, "Patient/{id}/$everything", everythingOf)
					: oneAtATime(ooh, people, "Patient/{id}/$everything, one at a time", everythingOf);
			String setup = PEOPLE + " people of the synthetic population (seed 1, about 15 resources each); each "
					+ "mode warmed up, then " + CLIENTS + " clients for " + SECONDS + " s per mode, then " + RATE
					+ " requests/s for " + SECONDS + " s per mode (open loop; one at a time for a mode that answers "
					+ "fewer); ooh-clinician token, audit on";
			Latencies.report("summary", "Out-of-hours summary vs Patient/$everything", setup, summary, everything,
					"summary p95 ≤ 30 ms");
			String throughput = String.format(Locale.ROOT,
					"%nSaturation (%d clients): summary %.1f req/s, $everything %.1f req/s: **%.2f×** (target ≥ 2×)%n",
					CLIENTS, summaryRate, everythingRate, summaryRate / everythingRate);
			System.out.println(throughput);
			Files.writeString(Path.of("target", "bench", "summary.md"), throughput,
					java.nio.file.StandardOpenOption.APPEND);
		}
	}

	/**
	 * "id nhs-number" of each person of the synthetic population that shares their record
	 * (the out-of-hours clinician cannot see the others without breaking the glass).
	 */
	private static List<String> load(RunningServer server) throws Exception {
		Path progress = Files.createTempFile("population", ".progress");
		Files.delete(progress);
		PopulationCommand.main(new String[] { "--server", "http://localhost:" + server.port(), "--people",
				Integer.toString(PEOPLE), "--clients", "4", "--progress", progress.toString() });
		return sharing();
	}

	private static List<String> sharing() {
		SyntheticPopulation population = new SyntheticPopulation(1, PEOPLE);
		List<String> people = new ArrayList<>();
		for (int i = 0; i < PEOPLE; i++) {
			if (!population.refusesSharing(i)) {
				people.add(SyntheticPopulation.patientId(i) + " " + SyntheticPopulation.nhsNumber(i));
			}
		}
		return people;
	}

	static Latencies openLoop(FhirHttp http, List<String> people, String mode, Function<String, String> path)
			throws Exception {
		Latencies latencies = new Latencies(mode);
		ExecutorService clients = Executors.newFixedThreadPool(16);
		List<Future<Long>> answers = new ArrayList<>();
		long start = System.nanoTime() + 50_000_000;
		long interval = 1_000_000_000L / RATE;
		for (int i = 0; i < RATE * SECONDS; i++) {
			long due = start + i * interval;
			String person = people.get((i * 31) % people.size());
			answers.add(clients.submit(() -> {
				long wait = due - System.nanoTime();
				if (wait > 0) {
					// the open loop's schedule itself: each request is sent when it is
					// due,
					// whatever the server is doing, so this waits for a time, not a
					// condition
					TimeUnit.NANOSECONDS.sleep(wait);
				}
				Response response = http.get(path.apply(person));
				assertThat(response.status()).as(response.body()).isEqualTo(200);
				return System.nanoTime() - due;
			}));
		}
		for (Future<Long> answer : answers) {
			latencies.add(answer.get());
		}
		clients.shutdown();
		System.out.println(latencies.row());
		return latencies;
	}

	/** Requests one after another, for as long as an open loop runs. */
	private static Latencies oneAtATime(FhirHttp http, List<String> people, String mode,
			Function<String, String> path) {
		Latencies latencies = new Latencies(mode);
		long end = System.nanoTime() + SECONDS * 1_000_000_000L;
		for (int i = 0; System.nanoTime() < end; i++) {
			latencies.add(Latencies.timedRead(http, path.apply(people.get((i * 31) % people.size()))));
		}
		System.out.println(latencies.row());
		return latencies;
	}

	static double saturation(FhirHttp http, List<String> people, Function<String, String> path) throws Exception {
		return served(List.of(http), CLIENTS, SECONDS, people, path) / (double) SECONDS;
	}

	/**
	 * Requests answered by {@code clients} clients asking as fast as they are answered
	 * for {@code seconds}, client {@code c} asking server {@code c % servers.size()}.
	 */
	static int served(List<FhirHttp> servers, int clients, int seconds, List<String> people,
			Function<String, String> path) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		AtomicInteger served = new AtomicInteger();
		long end = System.nanoTime() + seconds * 1_000_000_000L;
		List<Future<?>> running = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			int client = c;
			FhirHttp http = servers.get(c % servers.size());
			running.add(pool.submit(() -> {
				for (int i = client; System.nanoTime() < end; i += clients) {
					Response response = http.get(path.apply(people.get((i * 17) % people.size())));
					assertThat(response.status()).as(response.body()).isEqualTo(200);
					served.incrementAndGet();
				}
				return null;
			}));
		}
		for (Future<?> future : running) {
			future.get();
		}
		pool.shutdown();
		return served.get();
	}

}
