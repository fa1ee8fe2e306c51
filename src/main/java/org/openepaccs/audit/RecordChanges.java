package org.openepaccs.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Who changed which version of a record, and when: one row per write a client made,
 * written in the write's own database transaction beside its audit event. Kept apart from
 * the audit trail's entity rows, which also name every resource each read returned, so
 * that "who last changed this" stays one short index look-up however often the record is
 * read. It is what the plan summary's "last changed by" and the {@code Provenance} of a
 * change are built from.
 */
@Component
public class RecordChanges {

	static final String CHANGES = "EPACCS_RECORD_CHANGE";

	private static final String COLUMNS = "REFERENCE, VERSION, RECORDED, INTERACTION, PATIENT, USER_ID, CLIENT, ROLE,"
			+ " ORGANISATION, REQUEST_ID";

	private final JdbcTemplate jdbc;

	RecordChanges(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** Records a change, inside the transaction of the write it describes. */
	void append(Change change) {
		this.jdbc.update("INSERT INTO " + CHANGES + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				change.reference(), change.version(), Timestamp.from(change.recorded()), change.interaction(),
				change.patient(), change.user(), change.client(), change.role(), change.organisation(),
				change.requestId());
	}

	/**
	 * The latest change of each of these records ({@code Type/id}) that has one; records
	 * the server wrote itself, or that were written before the trail began, have none.
	 */
	public Map<String, Change> latest(Collection<String> references) {
		Map<String, Change> latest = new HashMap<>();
		if (references.isEmpty()) {
			return latest;
		}
		String placeholders = String.join(", ", java.util.Collections.nCopies(references.size(), "?"));
		for (Change change : this.jdbc.query(
				"SELECT " + COLUMNS + " FROM " + CHANGES + " WHERE REFERENCE IN (" + placeholders + ")",
				RecordChanges::change, references.toArray())) {
			latest.merge(change.reference(), change,
					(one, other) -> one.recorded().isAfter(other.recorded()) ? one : other);
		}
		return latest;
	}

	/**
	 * Changes of one record, or of everything in one patient's record, newest first, with
	 * their row ids.
	 */
	List<Numbered> history(String reference, String patient, int offset, int limit) {
		List<Object> arguments = new ArrayList<>();
		String where = where(reference, patient, arguments);
		arguments.add(limit);
		arguments.add(offset);
		return this.jdbc.query(
				"SELECT ID, " + COLUMNS + " FROM " + CHANGES + where
						+ " ORDER BY RECORDED DESC, ID DESC LIMIT ? OFFSET ?",
				(row, number) -> new Numbered(row.getLong("ID"), change(row, number)), arguments.toArray());
	}

	int count(String reference, String patient) {
		List<Object> arguments = new ArrayList<>();
		Integer count = this.jdbc.queryForObject(
				"SELECT COUNT(*) FROM " + CHANGES + where(reference, patient, arguments), Integer.class,
				arguments.toArray());
		return (count != null) ? count : 0;
	}

	Optional<Numbered> read(long id) {
		return this.jdbc
			.query("SELECT ID, " + COLUMNS + " FROM " + CHANGES + " WHERE ID = ?",
					(row, number) -> new Numbered(row.getLong("ID"), change(row, number)), id)
			.stream()
			.findFirst();
	}

	private static String where(String reference, String patient, List<Object> arguments) {
		List<String> conditions = new ArrayList<>();
		if (reference != null) {
			conditions.add("REFERENCE = ?");
			arguments.add(reference);
		}
		if (patient != null) {
			conditions.add("PATIENT = ?");
			arguments.add(patient);
		}
		return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
	}

	private static Change change(ResultSet row, int number) throws SQLException {
		return new Change(row.getString("REFERENCE"), row.getString("VERSION"),
				row.getTimestamp("RECORDED").toInstant(), row.getString("INTERACTION"), row.getString("PATIENT"),
				row.getString("USER_ID"), row.getString("CLIENT"), row.getString("ROLE"), row.getString("ORGANISATION"),
				row.getString("REQUEST_ID"));
	}

	/** A change with the id of its row, which is the id of its Provenance. */
	record Numbered(long id, Change change) {

	}

	/**
	 * One change of a record.
	 *
	 * @param reference the record changed ({@code Type/id})
	 * @param version the version the change made, or null
	 * @param recorded when
	 * @param interaction {@code create}, {@code update} or {@code delete}
	 * @param patient whose record it belongs to ({@code Patient/id}), or null
	 * @param user who (the access token's subject)
	 * @param client the OAuth2 client they used
	 * @param role their care role
	 * @param organisation their organisation's ODS code, or null
	 * @param requestId the request that made it, as in the logs and the audit trail
	 */
	public record Change(String reference, String version, Instant recorded, String interaction, String patient,
			String user, String client, String role, String organisation, String requestId) {

	}

}
