package org.openepaccs.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's own tables are under versioned migrations ({@code db/epaccs}, history in
 * {@code EPACCS_SCHEMA_HISTORY}, beside HAPI's {@code FLY_HFJ_MIGRATION}): an empty
 * database gets them from V1; a database of release 0.1, whose tables were created at
 * start-up without a history, keeps its data and is brought under the history.
 */
@EpaccsIntegrationTest
class OwnTablesMigrationIT {

	@Autowired
	DataSource dataSource;

	@Test
	void anEmptyDatabaseGetsOurTablesFromTheFirstMigration() throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			// a baseline row too when HAPI's migrator happened to create its tables first
			assertThat(history(connection))
				.contains("1 epaccs tables true", "2 installed package true", "3 launch contexts true")
				.allMatch((row) -> row.endsWith(" true"));
			assertThat(rows(connection, "SELECT N FROM EPACCS_SHARING_EPOCH")).hasSize(1);
		}
	}

	@Test
	void aDatabaseOfTheFirstReleaseKeepsItsDataAndComesUnderTheHistory() throws Exception {
		TestDatabase postgres = TestDatabase.server();
		String url = postgres.createDatabase();
		try (Connection connection = DriverManager.getConnection(url, postgres.user(), postgres.password());
				Statement statement = connection.createStatement()) {
			statement.execute(Files.readString(Path.of("src/test/resources/schema/release-0.1-own-tables.sql"),
					StandardCharsets.UTF_8));
			statement.execute("UPDATE EPACCS_SHARING_EPOCH SET N = 7");
			statement.execute("INSERT INTO EPACCS_AUDIT_EVENT (ID, RECORDED, SUBTYPE, OUTCOME, PATIENTS, RESOURCES)"
					+ " VALUES ('release-0-1-event', CURRENT_TIMESTAMP, 'read', '0', '', '')");
		}

		try (RunningServer server = RunningServer.startOnPostgres(url)) {
			Patient person = new Patient();
			person.addName().setFamily("Upgraded");
			Response created = server.http().post("/fhir/Patient", FhirHttp.json(person));
			assertThat(created.status()).as(created.body()).isEqualTo(201);

			try (Connection connection = DriverManager.getConnection(url, postgres.user(), postgres.password())) {
				assertThat(history(connection)).containsExactly("0 << Flyway Baseline >> true", "1 epaccs tables true",
						"2 installed package true", "3 launch contexts true");
				assertThat(rows(connection, "SELECT N FROM EPACCS_SHARING_EPOCH")).containsExactly("7");
				assertThat(rows(connection, "SELECT SUBTYPE FROM EPACCS_AUDIT_EVENT ORDER BY RECORDED"))
					.as("the old event kept, the new write audited after it")
					.startsWith("read")
					.contains("create");
			}
		}
	}

	private static List<String> history(Connection connection) throws SQLException {
		return rows(connection, "SELECT \"version\" || ' ' || \"description\" || ' ' || \"success\""
				+ " FROM \"EPACCS_SCHEMA_HISTORY\" ORDER BY \"installed_rank\"");
	}

	private static List<String> rows(Connection connection, String query) throws SQLException {
		List<String> rows = new ArrayList<>();
		try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(query)) {
			while (result.next()) {
				rows.add(result.getString(1));
			}
		}
		return rows;
	}

}
