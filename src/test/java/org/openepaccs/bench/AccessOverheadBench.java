package org.openepaccs.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What access control and audit cost a read: an out-of-hours clinician reading a CarePlan
 * by id, on a server with both on (token checked, role and scopes decided, consent
 * checked, AuditEvent written) versus the same build with both off, on the same
 * PostgreSQL database, in alternating rounds. Run with
 * {@code ./mvnw -Pbench test -Dtest=AccessOverheadBench}.
 */
class AccessOverheadBench {

	private static final int WARMUP = Integer.getInteger("bench.warmup", 500);

	private static final int ROUNDS = Integer.getInteger("bench.rounds", 6);

	private static final int PER_ROUND = Integer.getInteger("bench.perRound", 300);

	@Test
	void readsWithAccessControlAndAuditVersusWithout() throws IOException {
		String database = TestDatabase.server().createDatabase();
		try (RunningServer on = RunningServer.startOnPostgres(database);
				RunningServer off = RunningServer.startOnPostgres(database, "--epaccs.security.enabled=false")) {
			Response loaded = on.http()
				.post("/fhir", Examples.read(Path.of("profiles", "examples", "Bundle-margaret-record.json")));
			assertThat(loaded.status()).as(loaded.body()).isEqualTo(200);
			FhirHttp ooh = FhirHttp.as(on.port(), "ooh-clinician");
			FhirHttp plain = FhirHttp.anonymous(off.port());
			String path = "/fhir/CarePlan/margaret-acp";
			// the baseline must really be without access control, or the ratio means
			// nothing
			assertThat(FhirHttp.anonymous(on.port()).get(path).status()).isEqualTo(401);
			assertThat(plain.get(path).status()).isEqualTo(200);
			for (int i = 0; i < WARMUP; i++) {
				Latencies.timedRead(ooh, path);
				Latencies.timedRead(plain, path);
			}
			Latencies withAccess = new Latencies("access control and audit on");
			Latencies without = new Latencies("both off");
			for (int round = 0; round < ROUNDS; round++) {
				for (int i = 0; i < PER_ROUND; i++) {
					withAccess.add(Latencies.timedRead(ooh, path));
				}
				for (int i = 0; i < PER_ROUND; i++) {
					without.add(Latencies.timedRead(plain, path));
				}
				System.out.printf(Locale.ROOT, "round %d/%d: median on %.2f ms, off %.2f ms%n", round + 1, ROUNDS,
						withAccess.millisAt(50), without.millisAt(50));
			}
			assertThat(withAccess.size()).isEqualTo(without.size()).isEqualTo(ROUNDS * PER_ROUND);
			Latencies.report("access", "Access control and audit overhead: reading one CarePlan by id",
					withAccess.size() + " reads per mode after " + WARMUP + " warm-up, one client, alternating rounds",
					withAccess, without, "≤ 1.2×");
		}
	}

}
