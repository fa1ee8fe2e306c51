package org.openepaccs.budget;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import org.springframework.boot.jdbc.DataSourceUnwrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A request that would keep the database busy past its time budget is stopped: its
 * statement cancelled, its transaction rolled back, its connection returned, and the
 * client told why with a 400.
 */
class RequestBudgetIT {

	static RunningServer server;

	@BeforeAll
	static void aServerWithAShortBudget() {
		// a database of its own (dropped with the run's others), so the count below is
		// this test's
		server = RunningServer.startOnPostgres(TestDatabase.server().createDatabase(),
				"--epaccs.database.request-time-budget=1s");
	}

	@AfterAll
	static void stop() {
		if (server != null) {
			server.close();
		}
	}

	@Test
	void aTransactionLongerThanTheBudgetIsRefusedAndStoresNothing() {
		FhirHttp http = server.http();
		StringBuilder transaction = new StringBuilder(
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
		for (int i = 0; i < 800; i++) {
			transaction.append((i > 0) ? "," : "")
				.append("{\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Budget\",\"given\":[\"P")
				.append(i)
				.append("\"]}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}");
		}
		transaction.append("]}");

		Response refused = http.post("/fhir", transaction.toString());

		assertThat(refused.status()).as(refused.body()).isEqualTo(400);
		assertThat(refused.outcome().getIssueFirstRep().getCode().toCode()).isEqualTo("too-costly");
		assertThat(refused.diagnostics()).contains("budget of 1 s", "epaccs.database.request-time-budget");
		assertThat(http.get("/fhir/Patient?family=Budget&_summary=count").resource(Bundle.class).getTotal()).isZero();
		assertConnectionsReturned();
		assertThat(http.get("/fhir/metadata").status()).isEqualTo(200);
	}

	@Test
	void aLongStatementIsCancelledWhenTheBudgetEnds() throws SQLException {
		RequestDeadlines deadlines = server.bean(RequestDeadlines.class);
		DataSource dataSource = server.bean(DataSource.class);
		RequestDeadlines.Deadline deadline = deadlines.begin(Duration.ofMillis(300));
		long start = System.nanoTime();
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			assertThatThrownBy(() -> statement.execute("SELECT pg_sleep(20)")).isInstanceOf(SQLException.class)
				.satisfies((ex) -> assertThat(((SQLException) ex).getSQLState()).isEqualTo("57014"));
		}
		finally {
			deadlines.end(deadline);
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("cancelled soon after the budget, not after 20 s")
			.isLessThan(Duration.ofSeconds(5));
		assertConnectionsReturned();
	}

	/**
	 * None stays in use: the server's own background jobs take one now and then, so wait
	 * for a moment with none, which a leaked connection would never allow.
	 */
	private static void assertConnectionsReturned() {
		Awaitility.await()
			.atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> activeConnections() == 0);
	}

	private static int activeConnections() {
		HikariDataSource pool = DataSourceUnwrapper.unwrap(server.bean(DataSource.class), HikariDataSource.class);
		return pool.getHikariPoolMXBean().getActiveConnections();
	}

}
