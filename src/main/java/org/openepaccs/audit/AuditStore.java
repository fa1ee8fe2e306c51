package org.openepaccs.audit;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.InstantType;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit trail: append-only tables of our own, not HAPI resources.
 * <p>
 * Why not store AuditEvents as HAPI resources: HAPI indexes each one under about twenty
 * search parameters, which on two cores cost more than the read being audited (measured:
 * publishing them took 23% of the CPU of a read benchmark, the reads 17%). Here an event
 * is one row with the columns the API searches by, plus one row per resource or patient
 * it names, all written in one database transaction: the write's own for a write (so both
 * commit or neither does), a short one of its own for a read, inserted before the
 * response leaves the server. So there is nothing to publish later and nothing to lose
 * between response and flush. Rows are never updated or deleted by the server.
 */
@Component
public class AuditStore {

	static final String EVENTS = "EPACCS_AUDIT_EVENT";

	static final String ENTITIES = "EPACCS_AUDIT_ENTITY";

	private final JdbcTemplate jdbc;

	private final FhirContext fhirContext;

	private final TransactionTemplate ownTransaction;

	AuditStore(JdbcTemplate jdbc, FhirContext fhirContext) {
		this.jdbc = jdbc;
		this.fhirContext = fhirContext;
		this.ownTransaction = new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource()));
		// the same statements work on PostgreSQL and H2; HAPI's migrator owns only its
		// own tables
		jdbc.execute("CREATE TABLE IF NOT EXISTS " + EVENTS
				+ " (ID VARCHAR(36) PRIMARY KEY, RECORDED TIMESTAMP NOT NULL, SUBTYPE VARCHAR(40) NOT NULL,"
				+ " OUTCOME VARCHAR(2) NOT NULL, CLIENT VARCHAR(255), REQUEST_ID VARCHAR(100), EVENT TEXT NOT NULL)");
		jdbc.execute("CREATE INDEX IF NOT EXISTS EPACCS_AUDIT_EVENT_RECORDED ON " + EVENTS + " (RECORDED)");
		jdbc.execute("CREATE INDEX IF NOT EXISTS EPACCS_AUDIT_EVENT_REQUEST ON " + EVENTS + " (REQUEST_ID)");
		jdbc.execute("CREATE TABLE IF NOT EXISTS " + ENTITIES
				+ " (EVENT_ID VARCHAR(36) NOT NULL, REFERENCE VARCHAR(255) NOT NULL, PATIENT BOOLEAN NOT NULL)");
		jdbc.execute("CREATE INDEX IF NOT EXISTS EPACCS_AUDIT_ENTITY_REFERENCE ON " + ENTITIES + " (REFERENCE)");
	}

	/**
	 * Records the event: inside a database transaction as part of it, otherwise in one of
	 * its own.
	 */
	public void append(AuditEvent event, AuditedResources involved) {
		String id = UUID.randomUUID().toString();
		Date recorded = event.hasRecorded() ? event.getRecorded() : new Date();
		event.setId(id);
		event.getMeta().setVersionId("1").setLastUpdatedElement(new InstantType(recorded));
		String json = this.fhirContext.newJsonParser().encodeResourceToString(event);
		List<Object[]> entities = new ArrayList<>();
		involved.patients().forEach((patient) -> entities.add(new Object[] { id, patient, true }));
		involved.resources()
			.stream()
			.filter((resource) -> !involved.patients().contains(resource))
			.forEach((resource) -> entities.add(new Object[] { id, resource, false }));
		Runnable insert = () -> {
			this.jdbc.update("INSERT INTO " + EVENTS
					+ " (ID, RECORDED, SUBTYPE, OUTCOME, CLIENT, REQUEST_ID, EVENT) VALUES (?, ?, ?, ?, ?, ?, ?)", id,
					Timestamp.from(recorded.toInstant()), event.getSubtypeFirstRep().getCode(),
					event.getOutcome().toCode(), event.getAgentFirstRep().getAltId(),
					event.getSource().getObserver().getIdentifier().getValue(), json);
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

	Optional<AuditEvent> read(String id) {
		return this.jdbc.queryForList("SELECT EVENT FROM " + EVENTS + " WHERE ID = ?", String.class, id)
			.stream()
			.findFirst()
			.map(this::parse);
	}

	List<AuditEvent> search(AuditQuery query, int offset, int limit) {
		List<Object> arguments = new ArrayList<>();
		String where = where(query, arguments);
		arguments.add(limit);
		arguments.add(offset);
		return this.jdbc
			.queryForList(
					"SELECT EVENT FROM " + EVENTS + " e" + where + " ORDER BY e.RECORDED "
							+ (query.oldestFirst() ? "ASC" : "DESC") + ", e.ID LIMIT ? OFFSET ?",
					String.class, arguments.toArray())
			.stream()
			.map(this::parse)
			.toList();
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

	private AuditEvent parse(String json) {
		return this.fhirContext.newJsonParser().parseResource(AuditEvent.class, json);
	}

}
