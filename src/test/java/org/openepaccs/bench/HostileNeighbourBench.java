package org.openepaccs.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An out-of-hours clinician's read while another client misbehaves beside it: the median
 * and p95 of reading a CarePlan by id on an otherwise idle server, then again while a
 * hostile client (several threads) sends expensive searches, oversized transactions and
 * poisoned bodies as fast as it can, in alternating rounds on one server. Run with
 * {@code ./mvnw -Pbench test -Dtest=HostileNeighbourBench}.
 */
class HostileNeighbourBench {

	private static final int WARMUP = Integer.getInteger("bench.warmup", 300);

	private static final int ROUNDS = Integer.getInteger("bench.rounds", 4);

	private static final int PER_ROUND = Integer.getInteger("bench.perRound", 200);

	private static final int HOSTILE_THREADS = Integer.getInteger("bench.hostileThreads", 4);

	@Test
	void aReadWithAHostileClientBesideItVersusAnIdleServer() throws IOException, InterruptedException {
		try (RunningServer server = RunningServer.startOnPostgres(TestDatabase.server().createDatabase())) {
			Response loaded = server.http()
				.post("/fhir", Examples.read(Path.of("profiles", "examples", "Bundle-margaret-record.json")));
			assertThat(loaded.status()).as(loaded.body()).isEqualTo(200);
			FhirHttp ooh = FhirHttp.as(server.port(), "ooh-clinician");
			FhirHttp hostile = FhirHttp.as(server.port(), "gp-system");
			// the victim: a CarePlan read, or with -Dbench.victim=summary the
			// out-of-hours summary by NHS number, the read that matters at 3 a.m.
			boolean summary = "summary".equals(System.getProperty("bench.victim"));
			String victim = summary ? "out-of-hours summaries by NHS number" : "reads of one CarePlan";
			String path = summary
					? "/fhir/Patient/$epaccs-summary?identifier=" + NhsNumber.SYSTEM + "%7C" + MARGARET_NHS_NUMBER
					: "/fhir/CarePlan/margaret-acp";
			for (int i = 0; i < WARMUP; i++) {
				Latencies.timedRead(ooh, path);
			}
			Latencies besideHostile = new Latencies("beside a hostile client");
			Latencies idle = new Latencies("idle server");
			Map<Integer, Integer> hostileStatuses = new ConcurrentHashMap<>();
			for (int round = 0; round < ROUNDS; round++) {
				for (int i = 0; i < PER_ROUND; i++) {
					idle.add(Latencies.timedRead(ooh, path));
				}
				AtomicBoolean running = new AtomicBoolean(true);
				AtomicInteger answered = new AtomicInteger();
				ExecutorService attackers = Executors.newFixedThreadPool(HOSTILE_THREADS);
				for (int t = 0; t < HOSTILE_THREADS; t++) {
					int thread = t;
					attackers.submit(() -> {
						int n = 0;
						while (running.get()) {
							String[] attack = ATTACKS.get((thread + n++) % ATTACKS.size());
							Response response = hostile.send(attack[0], attack[1], attack[2], "Content-Type",
									"application/fhir+json");
							hostileStatuses.merge(response.status(), 1, Integer::sum);
							answered.incrementAndGet();
						}
					});
				}
				// the measured reads start once the hostile client is under way: as many
				// of
				// its requests answered as it has threads
				Awaitility.await("the hostile client under way")
					.atMost(Duration.ofMinutes(2))
					.pollInterval(Duration.ofMillis(20))
					.until(() -> answered.get() >= HOSTILE_THREADS);
				for (int i = 0; i < PER_ROUND; i++) {
					besideHostile.add(Latencies.timedRead(ooh, path));
				}
				running.set(false);
				attackers.shutdown();
				assertThat(attackers.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
				System.out.printf(Locale.ROOT, "round %d/%d: median idle %.2f ms, beside hostile %.2f ms%n", round + 1,
						ROUNDS, idle.millisAt(50), besideHostile.millisAt(50));
			}
			assertThat(hostileStatuses.keySet()).as("the hostile client got no 5xx").allMatch((status) -> status < 500);
			assertThat(idle.size()).isEqualTo(besideHostile.size()).isEqualTo(ROUNDS * PER_ROUND);
			Latencies.report("hostile-neighbour", "A normal read beside a hostile client",
					idle.size() + " " + victim + " per mode after " + WARMUP + " warm-up, alternating rounds; "
							+ HOSTILE_THREADS + " hostile threads, statuses they got: " + hostileStatuses,
					besideHostile, idle, "report");
		}
	}

	/** Expensive, oversized and poisoned requests: method, path, body. */
	private static final List<String[]> ATTACKS = List.of(
			new String[] { "GET",
					"/fhir/Observation?" + IntStream.range(0, 45)
						.mapToObj((i) -> "_has:Observation:subject:code=" + i)
						.collect(Collectors.joining("&")),
					null },
			new String[] { "GET",
					"/fhir/Patient?name="
							+ IntStream.range(0, 99).mapToObj((i) -> "zz" + i).collect(Collectors.joining(","))
							+ "&_sort=family,given,birthdate,-_lastUpdated,gender",
					null },
			new String[] { "POST", "/fhir", "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
					+ IntStream.range(0, 900)
						.mapToObj(
								(i) -> "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":"
										+ "{\"text\":\"x\"},\"valueQuantity\":{\"value\":" + i
										+ "}},\"request\":{\"method\":" + "\"POST\",\"url\":\"Observation\"}}")
						.collect(Collectors.joining(","))
					+ ",{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
					+ "\"valueQuantity\":{\"value\":1e999999}},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}" },
			new String[] { "POST", "/fhir/Observation",
					"{\"resourceType\":\"Observation\",\"status\":\"final\","
							+ "\"code\":{\"text\":\"x\"},\"valueQuantity\":{\"value\":1e-999999}}" },
			new String[] { "GET", "/fhir/Patient?_count=1000&_revinclude=*", null },
			// costly to validate: refused by counting (10,000 extensions), and as many as
			// the limit allows (1,000), which the validator checks in full
			new String[] { "POST", "/fhir/Patient", patientWithExtensions(10_000) },
			new String[] { "POST", "/fhir/Patient", patientWithExtensions(1_000) });

	/** Margaret's NHS number in {@code Bundle-margaret-record.json}. */
	private static final String MARGARET_NHS_NUMBER = "9990000018";

	private static String patientWithExtensions(int count) {
		return "{\"resourceType\":\"Patient\",\"extension\":[" + IntStream.range(0, count)
			.mapToObj((i) -> "{\"url\":\"https://example.org/fhir/StructureDefinition/x" + i
					+ "\",\"valueString\":\"x\"}")
			.collect(Collectors.joining(",")) + "],\"name\":[{\"family\":\"Costly\"}]}";
	}

}
