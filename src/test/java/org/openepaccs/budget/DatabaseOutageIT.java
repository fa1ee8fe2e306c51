package org.openepaccs.budget;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While the database cannot be reached the server answers 503 with Retry-After and a
 * plain OperationOutcome within the configured connection timeout, never a 500 or a 409
 * naming internals; readiness follows the database within two seconds either way; the log
 * says once that the database went away and once that it is back; and the server recovers
 * by itself. Nothing of the requests it could not serve reaches the log.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseOutageIT {

	// would be bound into the failed INSERT, which HAPI's default logging prints
	private static final String SECRET_NAME = "Quennell-Outage-Secret";

	private static final String SECRET_NHS_NUMBER = "9990000328";

	// the deployer's setting under test, shorter than the postgres profile's so the test
	// is quick
	private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

	private static final Duration PROBE_DELAY = Duration.ofSeconds(2);

	@Test
	void answers503DuringAnOutageAndRecovers(CapturedOutput log) throws Exception {
		TestDatabase postgres = TestDatabase.server();
		String database = postgres.createDatabase();
		try (RunningServer server = RunningServer.startOnPostgres(database,
				"--spring.datasource.hikari.connection-timeout=" + CONNECTION_TIMEOUT.toMillis())) {
			FhirHttp http = server.http();
			Response created = http.post("/fhir/Patient",
					FhirHttp.json(new Patient().addName(new HumanName().setFamily("Outage"))));
			assertThat(created.status()).isEqualTo(201);
			String patient = "/fhir/Patient/" + created.resource(Patient.class).getIdElement().getIdPart();
			assertThat(http.get("/fhir/Patient?family=Outage").status()).isEqualTo(200);
			assertThat(readiness(http)).isEqualTo(200);
			int logBefore = log.getAll().length();

			Map<String, Timed> answers = new LinkedHashMap<>();
			Duration toDown;
			ExecutorService clients = Executors.newFixedThreadPool(11);
			AtomicLong cutNanos = new AtomicLong();
			Future<Timed> cutOff;
			// a search under way when the database goes: held at HAPI's insert of its
			// record of the search, which a lock keeps waiting
			try (Connection locker = DriverManager.getConnection(database, postgres.user(), postgres.password())) {
				locker.setAutoCommit(false);
				locker.createStatement().execute("LOCK TABLE hfj_search IN ACCESS EXCLUSIVE MODE");
				cutOff = clients.submit(() -> {
					Response response = http.get("/fhir/Patient?family=Outage&_count=1");
					return new Timed(response, Duration.ofNanos(System.nanoTime() - cutNanos.get()));
				});
				Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnALock(locker));
				cutNanos.set(System.nanoTime());
				// the locker's own connection is ended with the others
				postgres.setReachable(database, false);
			}
			try {
				toDown = timeUntil(() -> readiness(http) == 503);
				Map<String, Callable<Response>> requests = new LinkedHashMap<>();
				requests.put("read", () -> http.get(patient));
				requests.put("search", () -> http.get("/fhir/Patient?family=Outage"));
				requests.put("paged search", () -> http.get("/fhir/Patient?_count=1&_sort=family"));
				requests.put("create", () -> http.post("/fhir/Patient", FhirHttp.json(secretPatient())));
				requests.put("summary", () -> http.get(patient + "/$epaccs-summary"));
				// one after another, then all at once, as clients keep coming
				for (Map.Entry<String, Callable<Response>> request : requests.entrySet()) {
					answers.put(request.getKey(), timed(request.getValue()));
				}
				try {
					Map<String, Future<Timed>> parallel = new LinkedHashMap<>();
					for (int round = 0; round < 2; round++) {
						for (Map.Entry<String, Callable<Response>> request : requests.entrySet()) {
							parallel.put(request.getKey() + " at once " + round,
									clients.submit(() -> timed(request.getValue())));
						}
					}
					for (Map.Entry<String, Future<Timed>> answer : parallel.entrySet()) {
						answers.put(answer.getKey(), answer.getValue().get());
					}
					answers.put("search cut off half way (wait counted from the cut)", cutOff.get());
				}
				finally {
					clients.shutdownNow();
				}
				Response readinessDown = http.get("/actuator/health/readiness");
				assertThat(readinessDown.body()).contains("\"status\":\"DOWN\"");
				assertThat(http.get("/actuator/health/liveness").status()).as("a restart brings no database back")
					.isEqualTo(200);
			}
			finally {
				postgres.setReachable(database, true);
			}
			Duration toUp = timeUntil(() -> readiness(http) == 200);
			Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> http.get(patient).status() == 200);
			String outageLog = log.getAll().substring(logBefore);

			System.out.printf(Locale.ROOT, "outage: readiness DOWN after %d ms, UP after %d ms; answers %s%n",
					toDown.toMillis(), toUp.toMillis(), answers);
			for (Map.Entry<String, Timed> answer : answers.entrySet()) {
				Response response = answer.getValue().response();
				assertThat(response.status()).as(answer.getKey() + ": " + response.body()).isEqualTo(503);
				assertThat(response.header("Retry-After")).isEqualTo("5");
				assertThat(response.diagnostics()).contains("unavailable");
				assertThat(response.body()).doesNotContain("SQL", "postgres", "Exception", "jdbc", "HHH");
				assertThat(answer.getValue().took()).as(answer.getKey() + " waited")
					.isLessThanOrEqualTo(CONNECTION_TIMEOUT.plusSeconds(1));
			}
			assertThat(toDown).as("readiness DOWN after the database went away").isLessThanOrEqualTo(PROBE_DELAY);
			assertThat(toUp).as("readiness UP after the database came back").isLessThanOrEqualTo(PROBE_DELAY);

			List<String> warnings = new ArrayList<>();
			for (String line : outageLog.split("\\R")) {
				if (line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("\tat ")
						|| line.startsWith("Caused by")) {
					warnings.add(line);
				}
			}
			// the whole outage's log on failure: the line that heads a stack trace may
			// carry neither WARN nor ERROR
			assertThat(warnings).as(() -> "the outage's warnings, in its log:%n%s".formatted(outageLog)).hasSize(1);
			assertThat(warnings.get(0)).contains("database cannot be reached");
			assertThat(outageLog.split("The database can be reached again", -1)).as("recovery lines").hasSize(2);

			assertThat(http.get("/fhir/Patient?family=" + SECRET_NAME + "&_summary=count")
				.resource(Bundle.class)
				.getTotal()).as("nothing of the refused write stored").isZero();
		}

		assertThat(log.getAll()).as("the log of the outage").doesNotContain(SECRET_NAME, SECRET_NHS_NUMBER);
		assertThat(log.getAll().toLowerCase(Locale.ROOT)).doesNotContain("insert into", "binding parameter");
	}

	private static boolean waitingOnALock(Connection connection) throws SQLException {
		try (ResultSet waiting = connection.createStatement()
			.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
					+ "AND wait_event_type = 'Lock' AND query ILIKE 'insert into hfj_search%'")) {
			return waiting.next() && waiting.getInt(1) > 0;
		}
	}

	private static int readiness(FhirHttp http) {
		return http.get("/actuator/health/readiness").status();
	}

	/** How long until the condition holds, polled as fast as the server answers. */
	private static Duration timeUntil(Supplier<Boolean> condition) {
		long start = System.nanoTime();
		Awaitility.await()
			.atMost(Duration.ofSeconds(60))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(50))
			.until(condition::get);
		return Duration.ofNanos(System.nanoTime() - start);
	}

	private static Timed timed(Callable<Response> request) throws Exception {
		long start = System.nanoTime();
		Response response = request.call();
		return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
	}

	private static Patient secretPatient() {
		Patient patient = new Patient().addName(new HumanName().setFamily(SECRET_NAME));
		patient.addIdentifier().setSystem("https://fhir.nhs.uk/Id/nhs-number").setValue(SECRET_NHS_NUMBER);
		return patient;
	}

	record Timed(Response response, Duration took) {

		@Override
		public String toString() {
			return this.response.status() + " in " + this.took.toMillis() + " ms";
		}

	}

}
