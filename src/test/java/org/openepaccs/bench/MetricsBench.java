package org.openepaccs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the ICB dashboard asks: all seven indicators with every stratum
 * ({@code $evaluate-measure} of each Measure, all at once, as one analyst's page load),
 * straight after a write and again, against what one count costs by plain FHIR search
 * (the people on the register, {@code EpisodeOfCare?...&_summary=count}), measured
 * alternately in one run on one server and one database. Run with
 * {@code ./mvnw -Pbench test -Dtest=MetricsBench} ({@code -Dbench.people=},
 * {@code -Dbench.repeats=}, and {@code -Dbench.database=} to keep the population between
 * runs: it is loaded once, through a server with validation and access control off, since
 * the figures are of reading it). Writes {@code target/bench/metrics.md}.
 */
class MetricsBench {

	private static final int PEOPLE = Integer.getInteger("bench.people", 10_000);

	private static final int ROUNDS = Integer.getInteger("bench.repeats", 7);

	private static final List<String> MEASURES = List.of("epaccs-register-size", "epaccs-deaths-on-register",
			"epaccs-register-care-planning", "epaccs-preferred-place-achieved", "epaccs-usual-residence-deaths",
			"epaccs-cyp-register", "epaccs-emergency-admissions");

	private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors
		.newFixedThreadPool(7);

	private static final String REGISTER_COUNT = "/fhir/EpisodeOfCare?type=http://snomed.info/sct%7C103735009"
			+ "&status=active&_summary=count";

	@Test
	void allIndicatorsVersusOneCount() throws Exception {
		String kept = System.getProperty("bench.database", "");
		String database = kept.isBlank() ? TestDatabase.server().createDatabase()
				: TestDatabase.server().keptDatabase(kept);
		try (SeparateServer loader = SeparateServer.start(database, 1024, "loader", "--epaccs.security.enabled=false",
				"--epaccs.validation.enabled=false")) {
			FhirHttp plain = FhirHttp.anonymous(loader.port());
			if (count(plain, "/fhir/Patient?_summary=count") < PEOPLE) {
				SuiteBench.load(loader.port(), 1, 0, PEOPLE, true, SuiteBench.progressFile(kept));
				SuiteBench.analyse(database);
			}
		}
		try (SeparateServer server = SeparateServer.start(database, 1024, "metrics")) {
			FhirHttp analyst = FhirHttp.as(server.port(), "icb-analyst");
			FhirHttp hub = FhirHttp.as(server.port(), "spoc-hub");
			FhirHttp gp = FhirHttp.as(server.port(), "gp-system");
			int onRegister = count(hub, REGISTER_COUNT);
			String patient = "Patient/" + hub.get("/fhir/Patient?_count=1&_elements=id")
				.resource(Bundle.class)
				.getEntryFirstRep()
				.getResource()
				.getIdElement()
				.getIdPart();
			// warm-up: the first requests of a kind measure the JIT
			for (int i = 0; i < 3; i++) {
				pageLoad(analyst);
				afterAWrite(gp, patient);
				pageLoad(analyst);
				count(hub, REGISTER_COUNT);
			}
			List<Double> cold = new ArrayList<>();
			List<Double> warm = new ArrayList<>();
			List<Double> counts = new ArrayList<>();
			for (int i = 0; i < ROUNDS; i++) {
				afterAWrite(gp, patient);
				cold.add(pageLoad(analyst));
				warm.add(pageLoad(analyst));
				long started = System.nanoTime();
				count(hub, REGISTER_COUNT);
				counts.add((System.nanoTime() - started) / 1e6);
			}
			double countMedian = Medians.of(counts);
			String report = String.format(Locale.ROOT, "# All seven indicators vs one register count%n%n"
					+ "%d people of the synthetic population (seed 1), %d on the register now; %d rounds after 3 "
					+ "warm-up rounds. A page load is what the dashboard asks: the 7 `$evaluate-measure` calls "
					+ "(whole ICB, last full quarter, every stratum) at once; *after a write* follows a GP system "
					+ "recording one person's preferred place of death, *again* repeats it with nothing written "
					+ "since. The baseline is " + "one `EpisodeOfCare` count by search (`_summary=count`).%n%n"
					+ "| | median ms | max ms | × one count |%n|---|---|---|---|%n"
					+ "| all 7 indicators, after a write | %.0f | %.0f | %.1f× |%n"
					+ "| all 7 indicators, again | %.0f | %.0f | %.1f× |%n"
					+ "| one register count (`_summary=count`) | %.0f | %.0f | 1× |%n%n"
					+ "Target: all indicators for 100,000 people ≤ 2 s.%n", PEOPLE, onRegister, ROUNDS,
					Medians.of(cold), max(cold), Medians.of(cold) / countMedian, Medians.of(warm), max(warm),
					Medians.of(warm) / countMedian, countMedian, max(counts));
			System.out.println(report);
			Files.createDirectories(Path.of("target", "bench"));
			Files.writeString(Path.of("target", "bench", "metrics.md"), report);
		}
	}

	/** Milliseconds for the seven reports asked for at once, as the dashboard does. */
	private static double pageLoad(FhirHttp analyst) throws Exception {
		long started = System.nanoTime();
		List<java.util.concurrent.CompletableFuture<Response>> answers = MEASURES.stream()
			.map((measure) -> java.util.concurrent.CompletableFuture
				.supplyAsync(() -> analyst.get("/fhir/Measure/" + measure + "/$evaluate-measure"), POOL))
			.toList();
		for (java.util.concurrent.CompletableFuture<Response> answer : answers) {
			Response response = answer.get();
			assertThat(response.status()).as(response.body()).isEqualTo(200);
		}
		return (System.nanoTime() - started) / 1e6;
	}

	/**
	 * A GP system records one person's preferred place of death, as happens all day: the
	 * next report counts it.
	 */
	private static void afterAWrite(FhirHttp gp, String patient) {
		Response written = gp.post("/fhir/Observation", "{\"resourceType\":\"Observation\",\"extension\":[{\"url\":"
				+ "\"https://fhir.openepaccs.org/StructureDefinition/epaccs-preference-rank\",\"valuePositiveInt\":1}],"
				+ "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":"
				+ "\"110481000000108\"}],\"text\":\"Preferred place of death\"},\"subject\":{\"reference\":\"" + patient
				+ "\"},\"effectiveDateTime\":\"2025-02-01\"}");
		assertThat(written.status()).as(written.body()).isEqualTo(201);
	}

	private static int count(FhirHttp http, String path) {
		Response response = http.get(path);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.resource(Bundle.class).getTotal();
	}

	private static double max(List<Double> values) {
		return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
	}

}
