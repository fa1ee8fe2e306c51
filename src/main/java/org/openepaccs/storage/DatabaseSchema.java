package org.openepaccs.storage;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

import ca.uhn.fhir.jpa.config.util.ResourceTypeUtil;
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
 * records what it applied in {@code FLY_HFJ_MIGRATION} (the table HAPI's CLI also uses).
 * It runs under the start-up lock ({@code common.StartupLock}), so replicas starting
 * together migrate once: the first migrates, the others then find nothing to do.
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

	/**
	 * Writes HAPI's table of resource types if it is empty. HAPI fills it as its resource
	 * type cache starts, after reading it empty, in a transaction of its own: two
	 * replicas starting together on a new database both read it empty, and the second
	 * fails start-up on the table's unique names. Written here, under the start-up lock,
	 * with HAPI's list and HAPI's sequence, HAPI finds it filled and only reads it.
	 */
	void fillResourceTypes(DataSource dataSource) {
		if (this.kind != Kind.POSTGRESQL) {
			return; // one process on H2: HAPI fills it as it starts
		}
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			try (ResultSet any = statement.executeQuery("select 1 from HFJ_RESOURCE_TYPE limit 1")) {
				if (any.next()) {
					return;
				}
			}
			List<String> types = ResourceTypeUtil.generateResourceTypes();
			boolean autoCommit = connection.getAutoCommit();
			connection.setAutoCommit(false);
			try (PreparedStatement insert = connection.prepareStatement(
					"insert into HFJ_RESOURCE_TYPE (RES_TYPE_ID, RES_TYPE) values (nextval('SEQ_RESOURCE_TYPE'), ?)")) {
				for (String type : types) {
					insert.setString(1, type);
					insert.addBatch();
				}
				insert.executeBatch();
				connection.commit();
			}
			catch (SQLException ex) {
				connection.rollback();
				throw ex;
			}
			finally {
				connection.setAutoCommit(autoCommit);
			}
			log.info("HAPI's table of resource types filled with {} types", types.size());
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot fill HAPI's table of resource types: " + ex.getMessage(), ex);
		}
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
