package org.openepaccs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.openepaccs.population.PopulationCommand;
import org.openepaccs.population.SyntheticPopulation;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark suite: this server against the same build with validation, access control
 * and audit off ("plain HAPI"), both on one PostgreSQL database, in one run, on one
 * synthetic population loaded once. Scenarios: ingest (validation and all on vs off), the
 * out-of-hours summary (20 requests/s, and saturation against {@code $everything}), the
 * SPOC hub's register search and review worklist, a CarePlan read (auth and audit on vs
 * off), start-up time and memory. Each latency figure is the median of
 * {@code bench.repeats} runs with their min–max. Writes {@code target/bench/suite.md} and
 * {@code suite.csv}.
 * <p>
 * Why a Java harness rather than Gatling: the scenarios need the FHIR-aware set-up the
 * tests already have (tokens, the population, two servers in one run), open-loop timing
 * is a few lines (each request timed from when it was due), and nothing new has to be
 * downloaded. Each server runs in a JVM of its own under the heap cap
 * ({@link SeparateServer}), as deployed, so that its memory is its own; the load runs in
 * the test's JVM. On a 2-core machine the servers, the load and PostgreSQL still share
 * the cores, so absolute figures are pessimistic; the ratios are the point.
 * <p>
 * {@code EPACCS_TEST_DB_URL=… ./mvnw -Pbench test -Dtest=SuiteBench} with
 * {@code -Dbench.people=} (default 1000), {@code -Dbench.seconds=} (default 15),
 * {@code -Dbench.repeats=} (default 3), and {@code -Dbench.database=name} to keep the
 * database between runs: the population is loaded into it once (a stopped load resumes)
 * and later runs go straight to the scenarios, each ingest run with new people. The smoke
 * mode is {@code -Dbench.database=epaccs_bench_10k -Dbench.people=10000 -Dbench.seconds=5
 * -Dbench.repeats=1}; the full mode the same with 100,000 people.
 */
class SuiteBench {

	private static final int PEOPLE = Integer.getInteger("bench.people", 1000);

	private static final int INGEST_PEOPLE = Integer.getInteger("bench.ingestPeople", 150);

	private static final int REPEATS = Integer.getInteger("bench.repeats", 3);

	/**
	 * The validator's code is the last to be compiled: warmed up with 150 people each, a
	 * smoke run gave validation on 0.57× the rate with it off; warm, on 100,000 people,
	 * the server with validation on wrote 475–544 resources/s.
	 */
	private static final int WARM_UP_PEOPLE = 4 * INGEST_PEOPLE;

	/** The heap the project holds one server process to (issue 6). */
	private static final int HEAP_CAP_MIB = 1024;

	private final List<String[]> rows = new ArrayList<>();

	private String postgresVersion = "";

	@Test
	void suite() throws Exception {
		String kept = System.getProperty("bench.database", "");
		String database = kept.isBlank() ? TestDatabase.server().createDatabase()
				: TestDatabase.server().keptDatabase(kept);
		this.postgresVersion = postgresVersion(database);
		SyntheticPopulation population = new SyntheticPopulation(1, PEOPLE);
		List<String> sharing = new ArrayList<>();
		for (int i = 0; i < PEOPLE; i++) {
			if (!population.refusesSharing(i)) {
				sharing.add(population.patientIdOf(i) + " " + population.nhsNumberOf(i));
			}
		}
		try (SeparateServer on = SeparateServer.start(database, HEAP_CAP_MIB, "on");
				SeparateServer off = SeparateServer.start(database, HEAP_CAP_MIB, "off",
						"--epaccs.security.enabled=false", "--epaccs.validation.enabled=false")) {
			row("start-up", "seconds to ready", on.startUpSeconds(), on.startUpSeconds(), on.startUpSeconds(),
					off.startUpSeconds());
			int stored = patients(off);
			if (stored < PEOPLE) {
				double loadRate = load(on.port(), 1, 0, PEOPLE, false, progressFile(kept));
				row("population", "resources/s while loading " + PEOPLE + " people (4 clients, all on)", loadRate,
						loadRate, loadRate, Double.NaN);
				analyse(database);
			}
			// new people every run, also on a kept database
			int firstNew = Math.max(PEOPLE, stored);
			// each server warmed up (JIT, validators' caches) by writes of its own: the
			// population's load warms only the server it goes to, which then outran
			// the baseline (277 against 216 resources/s)
			if (stored >= PEOPLE) {
				load(on.port(), 1, firstNew, WARM_UP_PEOPLE, false);
				firstNew += WARM_UP_PEOPLE;
			}
			load(off.port(), 1, firstNew, WARM_UP_PEOPLE, true);
			firstNew += WARM_UP_PEOPLE;
			ingest(on, off, firstNew);
			summary(on, sharing);
			register(on, off, population);
			reads(on, off, sharing);
			memory(on, off);
		}
		report();
	}

	static List<String> practices(SyntheticPopulation population) {
		List<String> practices = new ArrayList<>();
		for (int p = population.firstPractice(); p <= population.lastPractice(); p++) {
			practices.add("syn-practice-" + p + " x");
		}
		return practices;
	}

	/**
	 * Resources/s of loading people into a server, with whatever features it has; the
	 * plain server ignores tokens, so it gets a dummy one.
	 */
	private static double load(int port, long seed, int first, int people, boolean plain) throws Exception {
		return load(port, seed, first, people, plain, progressFile(""));
	}

	static double load(int port, long seed, int first, int people, boolean plain, Path progress) throws Exception {
		List<String> arguments = new ArrayList<>(List.of("--server", "http://localhost:" + port, "--people",
				Integer.toString(people), "--first", Integer.toString(first), "--seed", Long.toString(seed),
				"--clients", "4", "--progress", progress.toString()));
		if (plain) {
			arguments.addAll(List.of("--token", "not-checked"));
		}
		long started = System.nanoTime();
		long resources = PopulationCommand.run(arguments.toArray(String[]::new));
		return resources / ((System.nanoTime() - started) / 1e9);
	}

	/**
	 * The database after the load as autovacuum would leave it (autovacuum is off on some
	 * test machines, this one included): fresh planner statistics, without which
	 * PostgreSQL plans every search as if the tables were empty, and the visibility map,
	 * without which it prices index-only scans as heap reads and scans whole tables
	 * instead (the consent labels' {@code NOT IN} subquery over HAPI's tag table took
	 * 50–80 ms at 20,000 people that way, against 8 ms).
	 */
	static void analyse(String database) throws Exception {
		try (java.sql.Connection connection = connect(database);
				java.sql.Statement statement = connection.createStatement()) {
			statement.execute("VACUUM ANALYZE");
		}
	}

	private static String postgresVersion(String database) throws Exception {
		try (java.sql.Connection connection = connect(database)) {
			return connection.getMetaData().getDatabaseProductVersion();
		}
	}

	static java.sql.Connection connect(String database) throws java.sql.SQLException {
		TestDatabase postgres = TestDatabase.server();
		return java.sql.DriverManager.getConnection(database, postgres.user(), postgres.password());
	}

	/**
	 * Where a load into a kept database records its progress, so that a stopped load
	 * resumes in the next run; a fresh temporary file otherwise.
	 */
	static Path progressFile(String kept) throws java.io.IOException {
		if (kept.isBlank()) {
			Path progress = Files.createTempFile("population", ".progress");
			Files.delete(progress);
			return progress;
		}
		Files.createDirectories(Path.of("target", "bench"));
		return Path.of("target", "bench", kept + ".progress");
	}

	/**
	 * How many people a kept database holds from earlier runs (asked of the plain server,
	 * which hides no one): the population, and the people earlier ingest runs added.
	 */
	private static int patients(SeparateServer plain) {
		return FhirHttp.anonymous(plain.port())
			.get("/fhir/Patient?_summary=count")
			.resource(org.hl7.fhir.r4.model.Bundle.class)
			.getTotal();
	}

	/** The same number of new people into each server, alternating, REPEATS times. */
	private void ingest(SeparateServer on, SeparateServer off, int firstNew) throws Exception {
		double[] withAll = new double[REPEATS];
		double[] without = new double[REPEATS];
		int next = firstNew;
		for (int r = 0; r < REPEATS; r++) {
			withAll[r] = load(on.port(), 1, next, INGEST_PEOPLE, false);
			next += INGEST_PEOPLE;
			without[r] = load(off.port(), 1, next, INGEST_PEOPLE, true);
			next += INGEST_PEOPLE;
		}
		row("ingest", "resources/s, " + INGEST_PEOPLE + " new people, 4 clients (on = validation, access, audit)",
				Medians.of(withAll), min(withAll), max(withAll), Medians.of(without));
	}

	/**
	 * The summary alone: its comparison with {@code $everything} is PlanSummaryBench's
	 * (run it with {@code -Dbench.database=} on the database this suite loaded), which
	 * times {@code $everything} one at a time where it answers fewer than 20 a second.
	 */
	private void summary(SeparateServer on, List<String> people) throws Exception {
		FhirHttp ooh = FhirHttp.as(on.port(), "ooh-clinician");
		String byNumber = "/fhir/Patient/$epaccs-summary?identifier=" + NhsNumber.SYSTEM + "%7C";
		Function<String, String> summary = (person) -> byNumber + person.split(" ")[1];
		warmUp(ooh, people, "$epaccs-summary", summary);
		double[] p50 = new double[REPEATS];
		double[] p95 = new double[REPEATS];
		double[] summaryRate = new double[REPEATS];
		for (int r = 0; r < REPEATS; r++) {
			Latencies run = PlanSummaryBench.openLoop(ooh, people, "$epaccs-summary", summary);
			p50[r] = run.millisAt(50);
			p95[r] = run.millisAt(95);
			summaryRate[r] = PlanSummaryBench.saturation(ooh, people, summary);
		}
		row("OOH summary", "p50 ms at 20 req/s (open loop)", Medians.of(p50), min(p50), max(p50), Double.NaN);
		row("OOH summary", "p95 ms at 20 req/s (open loop; target ≤ 30)", Medians.of(p95), min(p95), max(p95),
				Double.NaN);
		row("OOH summary", "req/s at saturation, 8 clients", Medians.of(summaryRate), min(summaryRate),
				max(summaryRate), Double.NaN);
	}

	private void register(SeparateServer on, SeparateServer off, SyntheticPopulation population) throws Exception {
		FhirHttp hub = FhirHttp.as(on.port(), "spoc-hub");
		FhirHttp plain = FhirHttp.anonymous(off.port());
		List<String> practices = practices(population);
		Function<String, String> search = (practice) -> "/fhir/EpisodeOfCare?organization=Organization/"
				+ practice.split(" ")[0] + "&status=active&type=http://snomed.info/sct%7C103735009&_count=300";
		Function<String, String> worklist = (practice) -> "/fhir/CarePlan/$review-worklist?practice=Organization/"
				+ practice.split(" ")[0] + "&_count=100";
		Function<String, String> firstPage = (practice) -> "/fhir/EpisodeOfCare?organization=Organization/"
				+ practice.split(" ")[0] + "&status=active&type=http://snomed.info/sct%7C103735009&_count=50";
		double[] pageOn = new double[REPEATS];
		double[] pageOff = new double[REPEATS];
		double[] searchOn = new double[REPEATS];
		double[] searchOff = new double[REPEATS];
		double[] worklistOn = new double[REPEATS];
		// the first repeat measured the JIT otherwise (p95 323 ms, then 63 ms, on 10,000)
		warmUp(hub, practices, "register first page", firstPage);
		warmUp(plain, practices, "register first page (plain)", firstPage);
		warmUp(hub, practices, "register search", search);
		warmUp(plain, practices, "register search (plain)", search);
		oneAtATime(hub, practices, worklist);
		for (int r = 0; r < REPEATS; r++) {
			pageOn[r] = PlanSummaryBench.openLoop(hub, practices, "register first page", firstPage).millisAt(95);
			pageOff[r] = PlanSummaryBench.openLoop(plain, practices, "register first page (plain)", firstPage)
				.millisAt(95);
			searchOn[r] = PlanSummaryBench.openLoop(hub, practices, "register search", search).millisAt(95);
			searchOff[r] = PlanSummaryBench.openLoop(plain, practices, "register search (plain)", search).millisAt(95);
			worklistOn[r] = oneAtATime(hub, practices, worklist).millisAt(95);
		}
		row("SPOC register", "p95 ms, first page (50) of one practice's active register at 20 req/s (target ≤ 100)",
				Medians.of(pageOn), min(pageOn), max(pageOn), Medians.of(pageOff));
		row("SPOC register", "p95 ms, whole active register of one practice in one page (_count=300) at 20 req/s",
				Medians.of(searchOn), min(searchOn), max(searchOn), Medians.of(searchOff));
		row("SPOC register",
				"p95 ms, review worklist of one practice, first page (100), one request at a time (a hub opening its list)",
				Medians.of(worklistOn), min(worklistOn), max(worklistOn), Double.NaN);
	}

	/**
	 * A server answers its first few hundred requests of a kind while the JIT still
	 * compiles their code: one-at-a-time summaries took p50 19 ms over the first 600 and
	 * 11 ms after 2,400 (10,000 people, 2 cores). The figures are for a server that has
	 * been running, so each kind of request is first sent unmeasured, as fast as the
	 * server answers, for one scenario's length.
	 */
	static void warmUp(FhirHttp http, List<String> items, String what, Function<String, String> path) throws Exception {
		double rate = PlanSummaryBench.saturation(http, items, path);
		System.out.printf(Locale.ROOT, "warm-up, %s: %.1f req/s (not measured)%n", what, rate);
	}

	/**
	 * Each practice's request once, one after another: a hub opens its worklist a few
	 * times a day, so twenty a second would measure a queue, not the worklist.
	 */
	private static Latencies oneAtATime(FhirHttp http, List<String> practices, Function<String, String> path) {
		Latencies latencies = new Latencies("one at a time");
		for (String practice : practices) {
			latencies.add(Latencies.timedRead(http, path.apply(practice)));
		}
		return latencies;
	}

	private void reads(SeparateServer on, SeparateServer off, List<String> people) {
		FhirHttp ooh = FhirHttp.as(on.port(), "ooh-clinician");
		FhirHttp plain = FhirHttp.anonymous(off.port());
		double[] ratio = new double[REPEATS];
		double[] medianOn = new double[REPEATS];
		double[] medianOff = new double[REPEATS];
		for (int r = 0; r < REPEATS; r++) {
			Latencies withAll = new Latencies("on");
			Latencies without = new Latencies("off");
			for (int round = 0; round < 4; round++) {
				for (int i = 0; i < 200; i++) {
					withAll.add(Latencies.timedRead(ooh, plan(people, i + round * 200)));
				}
				for (int i = 0; i < 200; i++) {
					without.add(Latencies.timedRead(plain, plan(people, i + round * 200)));
				}
			}
			medianOn[r] = withAll.millisAt(50);
			medianOff[r] = without.millisAt(50);
			ratio[r] = medianOn[r] / medianOff[r];
		}
		row("CarePlan read", "median ms, one client (auth + audit on vs off; target ratio ≤ 1.2)", Medians.of(medianOn),
				min(medianOn), max(medianOn), Medians.of(medianOff));
	}

	private static String plan(List<String> people, int i) {
		return "/fhir/CarePlan/" + people.get((i * 7) % people.size()).split(" ")[0] + "-acp";
	}

	/**
	 * Each server's own memory: peak heap (just before a collection, and the most still
	 * held after one), peak resident set, and the share of the run spent in collection
	 * pauses, each server in its own JVM under the heap cap.
	 */
	private void memory(SeparateServer on, SeparateServer off) throws Exception {
		SeparateServer.Heap heapOn = on.heap();
		SeparateServer.Heap heapOff = off.heap();
		String cap = "one server process, -Xmx" + HEAP_CAP_MIB + "m";
		row("memory", cap + ": peak heap MiB, just before a collection (target ≤ 1024)", heapOn.peakUsed(),
				heapOn.peakUsed(), heapOn.peakUsed(), heapOff.peakUsed());
		row("memory", cap + ": peak heap MiB still held after a collection", heapOn.peakAfterCollection(),
				heapOn.peakAfterCollection(), heapOn.peakAfterCollection(), heapOff.peakAfterCollection());
		double liveOn = on.liveHeapMiB();
		double liveOff = off.liveHeapMiB();
		row("memory", cap + ": heap MiB in use after a full collection at the end of the run", liveOn, liveOn, liveOn,
				liveOff);
		double rssOn = on.rssPeakMiB();
		double rssOff = off.rssPeakMiB();
		row("memory", cap + ": peak RSS MiB", rssOn, rssOn, rssOn, rssOff);
		double pausesOn = 100 * heapOn.pauseSeconds() / on.seconds();
		double pausesOff = 100 * heapOff.pauseSeconds() / off.seconds();
		row("memory", cap + ": % of the run in collection pauses", pausesOn, pausesOn, pausesOn, pausesOff);
	}

	private void row(String scenario, String metric, double median, double min, double max, double baseline) {
		this.rows.add(new String[] { scenario, metric, number(median), number(min), number(max), number(baseline),
				Double.isNaN(baseline) || baseline == 0 ? ""
						: String.format(Locale.ROOT, "%.2f×", median / baseline) });
		System.out.printf(Locale.ROOT, "%s | %s | %s (%s–%s) | baseline %s%n", scenario, metric, number(median),
				number(min), number(max), number(baseline));
	}

	private void report() throws Exception {
		StringBuilder md = new StringBuilder("# Benchmark suite\n\n").append(Latencies.machine())
			.append("; PostgreSQL ")
			.append(this.postgresVersion)
			.append("; HAPI FHIR ")
			.append(ca.uhn.fhir.util.VersionUtil.getVersion())
			.append("; ")
			.append(PEOPLE)
			.append(" synthetic people (seed 1); ")
			.append(REPEATS)
			.append(" runs per figure (median, min–max); baseline = the same jar with validation, access control "
					+ "and audit off, same database, same run\n\n")
			.append("| scenario | metric | median | min | max | baseline | ratio |\n|---|---|---|---|---|---|---|\n");
		StringBuilder csv = new StringBuilder("scenario,metric,median,min,max,baseline\n");
		for (String[] row : this.rows) {
			md.append("| ").append(String.join(" | ", row)).append(" |\n");
			csv.append(Arrays.stream(row, 0, 6)
				.map((cell) -> "\"" + cell.replace("\"", "'") + "\"")
				.reduce((a, b) -> a + "," + b)
				.orElse("")).append('\n');
		}
		System.out.println(md);
		Path folder = Path.of("target", "bench");
		Files.createDirectories(folder);
		Files.writeString(folder.resolve("suite.md"), md);
		Files.writeString(folder.resolve("suite.csv"), csv);
		assertThat(this.rows).isNotEmpty();
	}

	private static String number(double value) {
		return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.1f", value);
	}

	/** Of an even number of runs, the mean of the middle two (it was the larger). */

	private static double min(double[] values) {
		return Arrays.stream(values).min().orElse(Double.NaN);
	}

	private static double max(double[] values) {
		return Arrays.stream(values).max().orElse(Double.NaN);
	}

}
