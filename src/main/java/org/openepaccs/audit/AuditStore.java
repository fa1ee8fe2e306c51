package org.openepaccs.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.annotation.PreDestroy;
import org.hl7.fhir.r4.model.AuditEvent;

import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit trail: append-only tables of our own, not HAPI resources.
 * <p>
 * Why not store AuditEvents as HAPI resources: HAPI indexes each one under about twenty
 * search parameters, which on two cores costs more than the read being audited. Here an
 * event is one row of plain columns, plus one row per resource or patient it names for
 * searching, all written in one database transaction: the write's own for a write (so
 * both commit or neither does), a short one of its own for a read, committed before the
 * response leaves the server. So there is nothing to publish later and nothing to lose
 * between response and flush. Rows are never updated or deleted by the server. The FHIR
 * form is built only when the trail is read ({@link AuditEvents}).
 */
@Component
public class AuditStore {

	static final String EVENTS = "EPACCS_AUDIT_EVENT";

	static final String ENTITIES = "EPACCS_AUDIT_ENTITY";

	private static final String COLUMNS = "ID, RECORDED, SUBTYPE, OUTCOME, USER_ID, CLIENT, ROLE, ORGANISATION,"
			+ " PURPOSE, BREAK_GLASS, ADDRESS, REQUEST_ID, QUERY, DETAIL, PATIENTS, RESOURCES";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate ownTransaction;

	private final boolean postgres;

	/**
	 * Where reads' events go on PostgreSQL: the main pool, or connections of their own.
	 */
	private final JdbcTemplate readEvents;

	private final HikariDataSource readConnections;

	AuditStore(JdbcTemplate jdbc, AuditProperties properties) {
		this.jdbc = jdbc;
		this.ownTransaction = new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource()));
		this.postgres = Boolean.TRUE.equals(jdbc.execute((java.sql.Connection connection) -> "PostgreSQL"
			.equals(connection.getMetaData().getDatabaseProductName())));
		HikariDataSource main = DataSourceUnwrapper.unwrap(jdbc.getDataSource(), HikariDataSource.class);
		if (this.postgres && !properties.synchronousReadCommit() && main != null) {
			this.readConnections = asynchronousCommitPool(main, properties.readConnections());
			this.readEvents = new JdbcTemplate(this.readConnections);
		}
		else {
			this.readConnections = null;
			this.readEvents = jdbc;
		}
	}

	/**
	 * Records the event: inside a database transaction as part of it, otherwise in one of
	 * its own.
	 */
	public void append(AuditRecord record) {
		String id = UUID.randomUUID().toString();
		Object[] event = { id, Timestamp.from(record.recorded()), record.interaction(), record.outcome(), record.user(),
				record.client(), record.role(), record.organisation(), record.purposeOfUse(), record.breakGlassReason(),
				record.address(), record.requestId(), record.query(), record.detail(),
				String.join("\n", record.patients()), String.join("\n", record.resources()) };
		if (this.postgres) {
			// one statement, so one round trip and atomic without a transaction of its
			// own: on two busy cores each round trip to the database costs more than the
			// insert. Outside a transaction (a read) it goes through the read-event
			// connections.
			JdbcTemplate target = TransactionSynchronizationManager.isActualTransactionActive() ? this.jdbc
					: this.readEvents;
			List<Object> arguments = new ArrayList<>(Arrays.asList(event));
			arguments.add(record.patients().size());
			arguments.add(String.join("\n", record.patients())
					+ (record.patients().isEmpty() || record.resources().isEmpty() ? "" : "\n")
					+ String.join("\n", record.resources()));
			target.update("WITH EVENT AS (INSERT INTO " + EVENTS + " (" + COLUMNS
					+ ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ID) INSERT INTO " + ENTITIES
					+ " (EVENT_ID, REFERENCE, PATIENT) SELECT EVENT.ID, NAMED.REFERENCE, NAMED.N <= ? FROM EVENT,"
					+ " UNNEST(STRING_TO_ARRAY(?, E'\\n')) WITH ORDINALITY AS NAMED (REFERENCE, N)",
					arguments.toArray());
			return;
		}
		List<Object[]> entities = new ArrayList<>();
		record.patients().forEach((patient) -> entities.add(new Object[] { id, patient, true }));
		record.resources().forEach((resource) -> entities.add(new Object[] { id, resource, false }));
		Runnable insert = () -> {
			this.jdbc.update("INSERT INTO " + EVENTS + " (" + COLUMNS
					+ ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", event);
			if (!entities.isEmpty()) {
				this.jdbc.batchUpdate("INSERT INTO " + ENTITIES + " (EVENT_ID, REFERENCE, PATIENT) VALUES (?, ?, ?)",
						entities);
			}
		};
		if (TransactionSynchronizationManager.isActualTransactionActive()) {
			insert.run();
		}
		else {
			this.ownTransaction.executeWithoutResult((status) -> insert.run());
		}
	}

	/**
	 * Connections like the main pool's whose commits PostgreSQL flushes to disk in the
	 * background (within three {@code wal_writer_delay}s, 0.6 s by default) instead of
	 * before it answers, which takes a commit's flush out of every read's time, for a
	 * loss window that only a crash of the database machine opens.
	 */
	private static HikariDataSource asynchronousCommitPool(HikariDataSource main, int size) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(main.getJdbcUrl());
		config.setUsername(main.getUsername());
		config.setPassword(main.getPassword());
		config.setDataSourceProperties(main.getDataSourceProperties());
		config.setConnectionTimeout(main.getConnectionTimeout());
		config.setMaximumPoolSize(size);
		config.setMinimumIdle(1);
		config.setPoolName("epaccs-audit-reads");
		config.setConnectionInitSql("SET synchronous_commit TO OFF");
		// the server starts while the database is briefly unreachable, as with the main
		// pool
		config.setInitializationFailTimeout(-1);
		return new HikariDataSource(config);
	}

	@PreDestroy
	void close() {
		if (this.readConnections != null) {
			this.readConnections.close();
		}
	}

	Optional<AuditEvent> read(String id) {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM " + EVENTS + " WHERE ID = ?", AuditStore::event, id)
			.stream()
			.findFirst();
	}

	List<AuditEvent> search(AuditQuery query, int offset, int limit) {
		List<Object> arguments = new ArrayList<>();
		String where = where(query, arguments);
		arguments.add(limit);
		arguments.add(offset);
		return this.jdbc.query(
				"SELECT " + COLUMNS + " FROM " + EVENTS + " e" + where + " ORDER BY e.RECORDED "
						+ (query.oldestFirst() ? "ASC" : "DESC") + ", e.ID LIMIT ? OFFSET ?",
				AuditStore::event, arguments.toArray());
	}

	int count(AuditQuery query) {
		List<Object> arguments = new ArrayList<>();
		Integer count = this.jdbc.queryForObject("SELECT COUNT(*) FROM " + EVENTS + " e" + where(query, arguments),
				Integer.class, arguments.toArray());
		return (count != null) ? count : 0;
	}

	private static String where(AuditQuery query, List<Object> arguments) {
		List<String> conditions = new ArrayList<>();
		if (query.patient() != null) {
			conditions.add("e.ID IN (SELECT EVENT_ID FROM " + ENTITIES + " WHERE REFERENCE = ? AND PATIENT = TRUE)");
			arguments.add(query.patient());
		}
		if (query.entity() != null) {
			conditions.add("e.ID IN (SELECT EVENT_ID FROM " + ENTITIES + " WHERE REFERENCE = ?)");
			arguments.add(query.entity());
		}
		if (query.from() != null) {
			conditions.add("e.RECORDED >= ?");
			arguments.add(Timestamp.from(query.from()));
		}
		if (query.to() != null) {
			conditions.add("e.RECORDED <= ?");
			arguments.add(Timestamp.from(query.to()));
		}
		if (query.subtype() != null) {
			conditions.add("e.SUBTYPE = ?");
			arguments.add(query.subtype());
		}
		if (query.outcome() != null) {
			conditions.add("e.OUTCOME = ?");
			arguments.add(query.outcome());
		}
		if (query.requestId() != null) {
			conditions.add("e.REQUEST_ID = ?");
			arguments.add(query.requestId());
		}
		if (query.client() != null) {
			conditions.add("e.CLIENT = ?");
			arguments.add(query.client());
		}
		return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
	}

	private static AuditEvent event(ResultSet row, int index) throws SQLException {
		AuditRecord record = new AuditRecord(row.getTimestamp("RECORDED").toInstant(), row.getString("SUBTYPE"),
				row.getString("OUTCOME"), row.getString("USER_ID"), row.getString("CLIENT"), row.getString("ROLE"),
				row.getString("ORGANISATION"), row.getString("PURPOSE"), row.getString("BREAK_GLASS"),
				row.getString("ADDRESS"), row.getString("REQUEST_ID"), row.getString("QUERY"), row.getString("DETAIL"),
				lines(row.getString("PATIENTS")), lines(row.getString("RESOURCES")));
		return AuditEvents.toResource(row.getString("ID"), record);
	}

	private static List<String> lines(String joined) {
		return joined.isEmpty() ? List.of() : Arrays.asList(joined.split("\n"));
	}

}
