package org.openepaccs.storage;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Set;
import javax.sql.DataSource;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import ca.uhn.fhir.util.VersionEnum;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the HAPI FHIR schema with HAPI's own migrator before Hibernate
 * starts, so that Hibernate only validates the schema and never alters it. The migrator
 * records what it applied in {@code FLY_HFJ_MIGRATION} (the table HAPI's CLI also uses)
 * and holds a lock while it runs, so replicas starting together migrate once.
 */
final class DatabaseSchema {

	static final String MIGRATION_TABLE = "FLY_HFJ_MIGRATION";

	private static final Logger log = LoggerFactory.getLogger(DatabaseSchema.class);

	/**
	 * The databases we support; anything else fails start-up with a message saying so.
	 */
	enum Kind {

		H2(DriverTypeEnum.H2_EMBEDDED, HapiFhirH2Dialect.class.getName()),

		POSTGRESQL(DriverTypeEnum.POSTGRES_9_4, HapiFhirPostgresDialect.class.getName());

		final DriverTypeEnum driverType;

		final String hibernateDialect;

		Kind(DriverTypeEnum driverType, String hibernateDialect) {
			this.driverType = driverType;
			this.hibernateDialect = hibernateDialect;
		}

		static Kind of(String databaseProductName, int majorVersion) {
			if ("H2".equals(databaseProductName)) {
				return H2;
			}
			if ("PostgreSQL".equals(databaseProductName)) {
				if (majorVersion < 14) {
					throw new IllegalStateException(
							"PostgreSQL " + majorVersion + " is too old: this server needs PostgreSQL 14 or later");
				}
				return POSTGRESQL;
			}
			throw new IllegalStateException("Unsupported database '" + databaseProductName
					+ "': use PostgreSQL (profile 'postgres', SPRING_DATASOURCE_URL=jdbc:postgresql://...) "
					+ "or the embedded H2 default");
		}

	}

	private final Kind kind;

	private DatabaseSchema(Kind kind) {
		this.kind = kind;
	}

	Kind kind() {
		return this.kind;
	}

	static DatabaseSchema migrate(DataSource dataSource) {
		Kind kind = detect(dataSource);
		long started = System.nanoTime();
		HapiMigrator migrator = new HapiMigrator(MIGRATION_TABLE, dataSource, kind.driverType);
		migrator.createMigrationTableIfRequired();
		migrator.addTasks(new HapiFhirJpaMigrationTasks(Set.of()).getAllTasks(VersionEnum.values()));
		MigrationResult result = migrator.migrate();
		if (!result.failedTasks.isEmpty()) {
			throw new IllegalStateException("Database schema migration failed in " + result.failedTasks.size()
					+ " task(s); see the log above. Nothing after the failed task was applied.");
		}
		log.info("Database schema on {} is current: {} migration task(s) applied in {} ms", kind,
				result.succeededTasks.size(), (System.nanoTime() - started) / 1_000_000);
		return new DatabaseSchema(kind);
	}

	private static Kind detect(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData metaData = connection.getMetaData();
			return Kind.of(metaData.getDatabaseProductName(), metaData.getDatabaseMajorVersion());
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot connect to the database to check its schema: " + ex.getMessage(),
					ex);
		}
	}

}
