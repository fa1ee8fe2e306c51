package org.openepaccs.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Write latency of one person's record as a transaction (Margaret's story: every profiled
 * resource of her record) with profile validation on versus off, measured in one run: two
 * servers from this build on the same PostgreSQL database, called in alternating rounds
 * so that drift (JIT, caches, autovacuum) hits both alike. Prints median, p95 and the
 * ratio; writes {@code target/bench/validation.md} and {@code .csv}. Run with
 * {@code ./mvnw -Pbench test -Dtest=ValidationOverheadBench}; never part of the test run.
 */
class ValidationOverheadBench {

	private static final int WARMUP = Integer.getInteger("bench.warmup", 40);

	private static final int ROUNDS = Integer.getInteger("bench.rounds", 6);

	private static final int PER_ROUND = Integer.getInteger("bench.perRound", 25);

	private final FhirContext fhir = FhirContext.forR4Cached();

	private int people;

	@Test
	void validationOnVersusOff() throws IOException {
		String database = TestDatabase.server().createDatabase();
		try (RunningServer on = RunningServer.startOnPostgres(database);
				RunningServer off = RunningServer.startOnPostgres(database, "--epaccs.validation.enabled=false")) {
			Bundle story = (Bundle) Examples.parse(Path.of("profiles", "examples", "Bundle-margaret-record.json"));
			Bundle shared = new Bundle().setType(Bundle.BundleType.TRANSACTION);
			Bundle person = new Bundle().setType(Bundle.BundleType.TRANSACTION);
			for (BundleEntryComponent entry : story.getEntry()) {
				boolean personal = !entry.getResource().getMeta().getProfile().isEmpty();
				(personal ? person : shared).addEntry(entry);
			}
			send(on.http(), this.fhir.newJsonParser().encodeResourceToString(shared));
			String template = this.fhir.newJsonParser().encodeResourceToString(person);
			int resources = person.getEntry().size();

			// the baseline must really be without validation, or the ratio means nothing
			Bundle broken = person.copy();
			broken.getEntry()
				.stream()
				.filter((entry) -> entry.getResource() instanceof CarePlan)
				.forEach((entry) -> ((CarePlan) entry.getResource()).getCategory().clear());
			String brokenTemplate = this.fhir.newJsonParser().encodeResourceToString(broken);
			assertThat(on.http().post("/fhir", nextPerson(brokenTemplate)).status()).isEqualTo(422);
			assertThat(off.http().post("/fhir", nextPerson(brokenTemplate)).status()).isEqualTo(200);

			for (int i = 0; i < WARMUP; i++) {
				send(on.http(), nextPerson(template));
				send(off.http(), nextPerson(template));
			}
			Latencies withValidation = new Latencies("validation on");
			Latencies without = new Latencies("validation off");
			for (int round = 0; round < ROUNDS; round++) {
				for (int i = 0; i < PER_ROUND; i++) {
					withValidation.add(send(on.http(), nextPerson(template)));
				}
				for (int i = 0; i < PER_ROUND; i++) {
					without.add(send(off.http(), nextPerson(template)));
				}
				System.out.printf(Locale.ROOT, "round %d/%d: median on %.1f ms, off %.1f ms%n", round + 1, ROUNDS,
						withValidation.millisAt(50), without.millisAt(50));
			}
			assertThat(withValidation.size()).isEqualTo(without.size()).isEqualTo(ROUNDS * PER_ROUND);
			Latencies.report("validation",
					"Validation overhead: one person's record as a transaction (" + resources + " resources)",
					withValidation.size() + " transactions per mode after " + WARMUP
							+ " warm-up, one client, alternating rounds; access control and audit on in both",
					withValidation, without, "≤ 1.5×");
		}
	}

	/**
	 * The story's transaction for a new person: every id made unique and a new valid NHS
	 * number from the 999 test range.
	 */
	private String nextPerson(String template) {
		this.people++;
		String id = "bench" + this.people + "x" + System.nanoTime() % 100000;
		return template.replace("margaret", id).replace("9990000018", testNhsNumber(this.people));
	}

	static String testNhsNumber(int serial) {
		for (int candidate = serial * 11;; candidate++) {
			String first9 = String.format(Locale.ROOT, "999%06d", candidate % 1_000_000);
			int check = NhsNumber.checkDigit(first9);
			if (check != 10) {
				return first9 + check;
			}
		}
	}

	private static long send(FhirHttp http, String transaction) {
		long started = System.nanoTime();
		Response response = http.post("/fhir", transaction);
		long elapsed = System.nanoTime() - started;
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return elapsed;
	}

}
