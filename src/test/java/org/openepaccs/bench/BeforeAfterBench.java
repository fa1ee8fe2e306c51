package org.openepaccs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.openepaccs.population.SyntheticPopulation;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * This build against an earlier one ({@code -Dbench.before=} its jar): the out-of-hours
 * summary and the SPOC hub's first register page at 20 requests/s, and start-up to ready,
 * both servers on one database and one synthetic population (about 3% refuse to share),
 * measured alternately in one run, so that the ratio is the change's and not the
 * machine's. It measured what consent to share in the query costs and whether the re-cut
 * into packages changed anything. Writes {@code target/bench/before-after.md}.
 * <p>
 * {@code EPACCS_TEST_DB_URL=… ./mvnw -Pbench test -Dtest=BeforeAfterBench
 * -Dbench.before=/path/to/epaccs-fhir-server-0.1.0-SNAPSHOT.jar} with
 * {@code -Dbench.people=} (default 2000), {@code -Dbench.repeats=} (default 2) and
 * {@code -Dbench.database=name} to keep the population between runs.
 */
class BeforeAfterBench {

	private static final int PEOPLE = Integer.getInteger("bench.people", 2000);

	private static final int REPEATS = Integer.getInteger("bench.repeats", 2);

	private static final int HEAP_CAP_MIB = 1024;

	@Test
	void beforeAndAfter() throws Exception {
		String before = System.getProperty("bench.before", "");
		assertThat(before).as("-Dbench.before= the jar of the build to compare with").isNotBlank();
		assertThat(Path.of(before)).as("the jar of the build to compare with").isRegularFile();
		String kept = System.getProperty("bench.database", "");
		String database = database(kept);
		SyntheticPopulation population = new SyntheticPopulation(1, PEOPLE);
		List<String> sharing = sharingNhsNumbers(PEOPLE);
		List<String> practices = SuiteBench.practices(population);
		Function<String, String> summary = (nhs) -> "/fhir/Patient/$epaccs-summary?identifier=" + NhsNumber.SYSTEM
				+ "%7C" + nhs;
		Function<String, String> firstPage = (practice) -> "/fhir/EpisodeOfCare?organization=Organization/"
				+ practice.split(" ")[0] + "&status=active&type=http://snomed.info/sct%7C103735009&_count=50";
		double[][] summaryP95 = new double[2][REPEATS];
		double[][] pageP95 = new double[2][REPEATS];
		loadIfShort(database, kept, PEOPLE);
		try (SeparateServer after = SeparateServer.start(database, HEAP_CAP_MIB, "after")) {
			try (SeparateServer earlier = SeparateServer.startJar(Path.of(before), database, HEAP_CAP_MIB, "before")) {
				List<SeparateServer> servers = List.of(earlier, after);
				for (SeparateServer server : servers) {
					SuiteBench.warmUp(FhirHttp.as(server.port(), "ooh-clinician"), sharing, "summary", summary);
					SuiteBench.warmUp(FhirHttp.as(server.port(), "spoc-hub"), practices, "register", firstPage);
				}
				for (int r = 0; r < REPEATS; r++) {
					for (int s = 0; s < servers.size(); s++) {
						FhirHttp ooh = FhirHttp.as(servers.get(s).port(), "ooh-clinician");
						FhirHttp hub = FhirHttp.as(servers.get(s).port(), "spoc-hub");
						summaryP95[s][r] = PlanSummaryBench.openLoop(ooh, sharing, "summary", summary).millisAt(95);
						pageP95[s][r] = PlanSummaryBench.openLoop(hub, practices, "register", firstPage).millisAt(95);
					}
				}
			}
		}
		// each build started again on the loaded database, alternately: the first start
		// above created the schema, which a deployment does once
		double[][] startUp = new double[2][REPEATS];
		for (int r = 0; r < REPEATS; r++) {
			try (SeparateServer earlier = SeparateServer.startJar(Path.of(before), database, HEAP_CAP_MIB, "before")) {
				startUp[0][r] = earlier.startUpSeconds();
			}
			try (SeparateServer after = SeparateServer.start(database, HEAP_CAP_MIB, "after")) {
				startUp[1][r] = after.startUpSeconds();
			}
		}
		String table = "# This build against an earlier one\n\n" + Latencies.machine() + "\n\n" + PEOPLE + " people, "
				+ REPEATS + " runs each, alternating; medians of the runs' p95 at 20 req/s (open loop), and of the "
				+ "start-ups on the loaded database\n\n"
				+ "| scenario | before | after | after / before |\n|---|---|---|---|\n"
				+ row("OOH summary by NHS number, p95 ms", summaryP95)
				+ row("SPOC register, first page (50) of a practice, p95 ms", pageP95)
				+ row("start-up to ready, seconds", startUp);
		System.out.println(table);
		Files.createDirectories(Path.of("target", "bench"));
		Files.writeString(Path.of("target", "bench", "before-after.md"), table);
	}

	/** The database kept under that name, or a fresh one when it is blank. */
	static String database(String kept) {
		return kept.isBlank() ? TestDatabase.server().createDatabase() : TestDatabase.server().keptDatabase(kept);
	}

	/** The NHS numbers of the synthetic people (seed 1) who share their record. */
	static List<String> sharingNhsNumbers(int people) {
		SyntheticPopulation population = new SyntheticPopulation(1, people);
		List<String> sharing = new ArrayList<>();
		for (int i = 0; i < people; i++) {
			if (!population.refusesSharing(i)) {
				sharing.add(population.nhsNumberOf(i));
			}
		}
		return sharing;
	}

	/**
	 * Loads what is missing of the population through this build with validation off and
	 * access control on: validation stores nothing of its own (the population passes it:
	 * {@code SyntheticPopulationIT} sends a sample through a validating server), so what
	 * is stored is what a validating load stores, at about twice the rate; access control
	 * on labels each refusal as it is written, so no start-up labelling runs beside the
	 * measurements.
	 */
	static void loadIfShort(String database, String kept, int people) throws Exception {
		try (SeparateServer loader = SeparateServer.start(database, HEAP_CAP_MIB, "loader",
				"--epaccs.validation.enabled=false")) {
			if (storedPatients(database) < people) {
				SuiteBench.load(loader.port(), 1, 0, people, false, SuiteBench.progressFile(kept));
			}
		}
		// also for a database loaded in an earlier run, which may have stopped before
		SuiteBench.analyse(database);
	}

	/**
	 * Asked of the database, not of the server, whose answer leaves out the people who
	 * refused to share with the asking client (a count short by them reloaded
	 * everything).
	 */
	private static long storedPatients(String database) throws Exception {
		try (java.sql.Connection connection = SuiteBench.connect(database);
				java.sql.Statement statement = connection.createStatement();
				java.sql.ResultSet count = statement.executeQuery(
						"SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND RES_DELETED_AT IS NULL")) {
			count.next();
			return count.getLong(1);
		}
	}

	private static String row(String scenario, double[][] p95) {
		double before = Medians.of(p95[0]);
		double after = Medians.of(p95[1]);
		return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f× |%n", scenario, before, after, after / before);
	}

}
