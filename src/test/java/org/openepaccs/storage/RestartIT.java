package org.openepaccs.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.model.util.JpaConstants;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationDefinition;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.SearchParameter;
import org.junit.jupiter.api.Test;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;
import org.openepaccs.testsupport.TestPatients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping and starting the server on the same PostgreSQL database keeps every record and
 * its history, and the schema migrator finds nothing left to do; the conformance
 * package's search parameters reindex stored records only when an upgrade changes them.
 */
class RestartIT {

	private static final String CHANGED_BY_UPGRADE = "SearchParameter/epaccs-flag-code";

	@Test
	void dataAndHistorySurviveARestartAndTheSchemaIsMigratedOnce() throws Exception {
		String database = TestDatabase.server().createDatabase();
		String identifier = TestPatients.identifier();
		String id;
		int migrationsAfterFirstStart;

		try (RunningServer first = RunningServer.startOnPostgres(database)) {
			FhirHttp http = first.http();
			Response created = http.post("/fhir/Patient", FhirHttp.json(TestPatients.patient("Before", identifier)));
			assertThat(created.status()).isEqualTo(201);
			id = created.resource(Patient.class).getIdElement().getIdPart();
			Patient changed = TestPatients.patient("After", identifier);
			changed.setId(id);
			assertThat(http.put("/fhir/Patient/" + id, FhirHttp.json(changed)).status()).isEqualTo(200);
			migrationsAfterFirstStart = appliedMigrations(database);
			assertThat(reindexJobs(database)).as("nothing to reindex on a new database").isZero();
			assertThat(raisedStatisticsTargets(database)).as("HAPI's raised planner statistics targets").isZero();

			// a record the package's Flag search parameter indexes, and that search
			// parameter as an older package version had it
			assertThat(http.post("/fhir/Flag", FhirHttp.json(Examples.cprDecisionFor("Patient/" + id))).status())
				.isEqualTo(201);
			IFhirResourceDao<SearchParameter> searchParameters = first.bean(DaoRegistry.class)
				.getResourceDao(SearchParameter.class);
			SearchParameter older = searchParameters.read(new IdType(CHANGED_BY_UPGRADE), new SystemRequestDetails());
			older.setDescription("As an older version of the package had it");
			SystemRequestDetails quietly = new SystemRequestDetails();
			quietly.getUserData().put(JpaConstants.SKIP_REINDEX_ON_UPDATE, true);
			searchParameters.update(older, quietly);
			// installed, as far as the record of installs says, by that older version
			execute(database,
					"update EPACCS_INSTALLED_PACKAGE set PACKAGE_VERSION = '0.0.1', CONTENT_SHA256 = 'older'");
			// and a raised target, as HAPI's migration of a new table would set one
			execute(database, "alter table hfj_res_link alter column target_resource_id set statistics 10000");
		}
		assertThat(migrationsAfterFirstStart).isPositive();

		try (RunningServer second = RunningServer.startOnPostgres(database)) {
			FhirHttp http = second.http();
			Response read = http.get("/fhir/Patient/" + id);
			assertThat(read.status()).isEqualTo(200);
			assertThat(read.header("ETag")).isEqualTo("W/\"2\"");
			assertThat(read.resource(Patient.class).getNameFirstRep().getGivenAsSingleString()).isEqualTo("After");
			assertThat(http.get("/fhir/Patient/" + id + "/_history").resource(Bundle.class).getEntry()).hasSize(2);
			Response search = http.get("/fhir/Patient?identifier=" + TestPatients.TEST_IDS + "%7C" + identifier);
			assertThat(search.resource(Bundle.class).getEntry()).hasSize(1);
			assertThat(appliedMigrations(database)).isEqualTo(migrationsAfterFirstStart);
			assertThat(raisedStatisticsTargets(database)).isZero();
			assertThat(reindexJobs(database)).as("the upgraded search parameter reindexes the Flags stored")
				.isEqualTo(1);
			// the conformance package was installed again without a new version of
			// anything
			for (IBaseResource resource : second.bean(ConformancePackage.class).resources()) {
				if (resource instanceof OperationDefinition operation) {
					// HAPI answers reads of OperationDefinition/{id} from the operations
					// it generates; the package's own is found by its canonical URL
					Bundle found = http.get("/fhir/OperationDefinition?url=" + operation.getUrl())
						.resource(Bundle.class);
					assertThat(found.getEntry()).as(operation.getUrl()).hasSize(1);
					assertThat(found.getEntryFirstRep().getResource().getMeta().getVersionId()).isEqualTo("1");
					continue;
				}
				Response installed = http
					.get("/fhir/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart());
				// the one changed above: installed, changed, installed again
				String version = CHANGED_BY_UPGRADE.equals("SearchParameter/" + resource.getIdElement().getIdPart())
						? "3" : "1";
				assertThat(installed.header("ETag")).as(resource.getIdElement().getValue())
					.isEqualTo("W/\"" + version + "\"");
			}
		}
	}

	private static int reindexJobs(String database) throws Exception {
		return count(database, "SELECT count(*) FROM BT2_JOB_INSTANCE WHERE DEFINITION_ID = 'REINDEX'");
	}

	private static int raisedStatisticsTargets(String database) throws Exception {
		return count(database, "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
				+ " WHERE c.relname LIKE 'hfj%' AND a.attstattarget > 0");
	}

	private static void execute(String database, String sql) throws Exception {
		TestDatabase server = TestDatabase.server();
		try (Connection connection = DriverManager.getConnection(database, server.user(), server.password());
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static int appliedMigrations(String database) throws Exception {
		return count(database, "SELECT count(*) FROM \"" + DatabaseSchema.MIGRATION_TABLE + "\"");
	}

	private static int count(String database, String query) throws Exception {
		TestDatabase server = TestDatabase.server();
		try (Connection connection = DriverManager.getConnection(database, server.user(), server.password());
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(query)) {
			rows.next();
			return rows.getInt(1);
		}
	}

}
