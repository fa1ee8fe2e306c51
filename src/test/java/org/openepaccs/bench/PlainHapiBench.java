package org.openepaccs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * This server against plain HAPI ({@link plainhapi.PlainHapiServer}: HAPI FHIR JPA 8.8
 * with its defaults, no validation, no security), both built from this source tree and
 * run in the same run on the same PostgreSQL, alternating: start-up to ready on a fresh
 * database and again on the same database once it holds data, and the rate of loading the
 * same synthetic people as transactions, with this server's validation on (everything on,
 * as deployed) and off (access control, consent and audit still on), with the processor
 * time each resource stored costs the server and PostgreSQL (from {@code /proc}). Each
 * server has a database of its own, so each loads the same people.
 */
class PlainHapiBench {

	private static final int REPEATS = Integer.getInteger("bench.repeats", 3);

	private static final int INGEST_PEOPLE = Integer.getInteger("bench.ingestPeople", 150);

	private static final int WARM_UP_PEOPLE = 2 * INGEST_PEOPLE;

	private static final int HEAP_CAP_MIB = 1024;

	private static final int PLAIN = 0;

	private static final int ALL_ON = 1;

	private static final int VALIDATION_OFF = 2;

	@Test
	void againstPlainHapi() throws Exception {
		double[][] freshStart = new double[3][REPEATS];
		double[][] existingStart = new double[3][REPEATS];
		double[][] ingest = new double[3][REPEATS];
		double[][] serverMs = new double[3][REPEATS];
		double[][] postgresMs = new double[3][REPEATS];
		for (int r = 0; r < REPEATS; r++) {
			for (int s = 0; s < 3; s++) {
				String database = TestDatabase.server().createDatabase();
				String name = new String[] { "plain-hapi", "all-on", "validation-off" }[s];
				try (SeparateServer server = started(s, database, name)) {
					freshStart[s][r] = server.startUpSeconds();
					// warmed up alike (a fresh server's first writes run while the JIT
					// compiles), then the same people into each
					SuiteBench.load(server.port(), 1, 0, WARM_UP_PEOPLE, s == PLAIN,
							Files.createTempFile("plain-hapi-bench", ".progress"));
					double serverBefore = server.cpuSeconds();
					double postgresBefore = ProcessorTime.ofPostgres();
					long started = System.nanoTime();
					ingest[s][r] = SuiteBench.load(server.port(), 1, WARM_UP_PEOPLE, INGEST_PEOPLE, s == PLAIN,
							Files.createTempFile("plain-hapi-bench", ".progress"));
					double resources = ingest[s][r] * (System.nanoTime() - started) / 1e9;
					serverMs[s][r] = (server.cpuSeconds() - serverBefore) * 1000 / resources;
					postgresMs[s][r] = (ProcessorTime.ofPostgres() - postgresBefore) * 1000 / resources;
					assertThat(ingest[s][r]).as(name + " ingest").isPositive();
					if (s == PLAIN) {
						// the baseline did the same work: every person sent is stored
						assertThat(FhirHttp.anonymous(server.port())
							.get("/fhir/Patient?_summary=count")
							.resource(Bundle.class)
							.getTotal()).as("people stored by plain HAPI").isEqualTo(WARM_UP_PEOPLE + INGEST_PEOPLE);
					}
				}
				try (SeparateServer server = started(s, database, name)) {
					existingStart[s][r] = server.startUpSeconds();
				}
			}
		}
		String table = "# This server against plain HAPI\n\n" + Latencies.machine() + "\n\n" + REPEATS
				+ " runs each, alternating; medians (lowest–highest)\n\n"
				+ "| scenario | plain HAPI | this server, all on | this server, validation off | all on / plain |"
				+ " validation off / plain | all on / validation off |\n|---|---|---|---|---|---|---|\n"
				+ row("start-up to ready on a fresh database, s", freshStart)
				+ row("start-up to ready on the same database holding " + (WARM_UP_PEOPLE + INGEST_PEOPLE)
						+ " people, s", existingStart)
				+ row("ingest of " + INGEST_PEOPLE + " people as transactions after " + WARM_UP_PEOPLE
						+ " to warm up, 4 clients, resources/s", ingest)
				+ row("the server's processor time a resource stored in that ingest, ms", serverMs)
				+ row("PostgreSQL's processor time a resource stored in that ingest, ms", postgresMs);
		System.out.println(table);
		Files.createDirectories(Path.of("target", "bench"));
		Files.writeString(Path.of("target", "bench", "plain-hapi.md"), table);
	}

	private static SeparateServer started(int server, String database, String name) throws Exception {
		return switch (server) {
			case PLAIN -> SeparateServer.startPlainHapi(database, HEAP_CAP_MIB, name);
			case ALL_ON -> SeparateServer.start(database, HEAP_CAP_MIB, name);
			default -> SeparateServer.start(database, HEAP_CAP_MIB, name, "--epaccs.validation.enabled=false");
		};
	}

	private static String row(String scenario, double[][] values) {
		return String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f× | %.2f× | %.2f× |%n", scenario,
				Medians.spread(values[PLAIN]), Medians.spread(values[ALL_ON]), Medians.spread(values[VALIDATION_OFF]),
				Medians.of(values[ALL_ON]) / Medians.of(values[PLAIN]),
				Medians.of(values[VALIDATION_OFF]) / Medians.of(values[PLAIN]),
				Medians.of(values[ALL_ON]) / Medians.of(values[VALIDATION_OFF]));
	}

}
