package org.openepaccs.notification;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Notifications waiting to be delivered, in a table of their own: a row is added in the
 * transaction of the change it announces (so a change is announced if and only if it is
 * stored) and stays until delivered or given up. A delivery is claimed by moving its next
 * attempt forward, so several replicas can share the outbox without sending twice.
 */
@Component
class NotificationOutbox {

	static final String OUTBOX = "EPACCS_NOTIFICATION";

	private final JdbcTemplate jdbc;

	NotificationOutbox(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	void add(String subscription, String resource, String action, Instant now) {
		this.jdbc.update("INSERT INTO " + OUTBOX
				+ " (SUBSCRIPTION, RESOURCE, ACTION, CREATED, ATTEMPTS, NEXT_ATTEMPT) VALUES (?, ?, ?, ?, 0, ?)",
				subscription, resource, action, Timestamp.from(now), Timestamp.from(now));
	}

	/**
	 * Up to {@code limit} subscriptions that have notifications due now, other than
	 * {@code busy} ones, those waiting longest first: so that each gets its turn whatever
	 * the others have waiting.
	 */
	List<String> subscriptionsDue(Instant now, Collection<String> busy, int limit) {
		String others = busy.isEmpty() ? ""
				: " AND SUBSCRIPTION NOT IN (" + String.join(", ", Collections.nCopies(busy.size(), "?")) + ")";
		List<Object> arguments = new ArrayList<>();
		arguments.add(Timestamp.from(now));
		arguments.addAll(busy);
		arguments.add(limit);
		return this.jdbc.queryForList(
				"SELECT SUBSCRIPTION FROM " + OUTBOX
						+ " WHERE DELIVERED IS NULL AND GAVE_UP IS NULL AND NEXT_ATTEMPT <= ?" + others
						+ " GROUP BY SUBSCRIPTION ORDER BY MIN(NEXT_ATTEMPT) LIMIT ?",
				String.class, arguments.toArray());
	}

	/**
	 * The subscription's oldest notification due now, claimed until {@code leaseUntil} by
	 * moving its next attempt forward, so that no other replica takes it meanwhile.
	 */
	Optional<Pending> claimNext(String subscription, Instant now, Instant leaseUntil) {
		List<Pending> due = this.jdbc.query(
				"SELECT ID, SUBSCRIPTION, RESOURCE, ACTION, CREATED, ATTEMPTS, NEXT_ATTEMPT FROM " + OUTBOX
						+ " WHERE SUBSCRIPTION = ? AND DELIVERED IS NULL AND GAVE_UP IS NULL AND NEXT_ATTEMPT <= ?"
						+ " ORDER BY ID LIMIT 1",
				(row, number) -> new Pending(row.getLong("ID"), row.getString("SUBSCRIPTION"),
						row.getString("RESOURCE"), row.getString("ACTION"), row.getTimestamp("CREATED").toInstant(),
						row.getInt("ATTEMPTS"), row.getTimestamp("NEXT_ATTEMPT")),
				subscription, Timestamp.from(now));
		return due.stream()
			.filter((pending) -> this.jdbc.update(
					"UPDATE " + OUTBOX
							+ " SET NEXT_ATTEMPT = ? WHERE ID = ? AND NEXT_ATTEMPT = ? AND DELIVERED IS NULL",
					Timestamp.from(leaseUntil), pending.id(), pending.claimedAt()) == 1)
			.findFirst();
	}

	/**
	 * Moves the subscription's waiting notifications that are due before {@code until} to
	 * then, without counting an attempt: its receiver is backing off.
	 */
	void postpone(String subscription, Instant until) {
		this.jdbc.update(
				"UPDATE " + OUTBOX + " SET NEXT_ATTEMPT = ? WHERE SUBSCRIPTION = ? AND NEXT_ATTEMPT < ?"
						+ " AND DELIVERED IS NULL AND GAVE_UP IS NULL",
				Timestamp.from(until), subscription, Timestamp.from(until));
	}

	/**
	 * Moves a claimed notification's next attempt to {@code until}, counting no attempt.
	 */
	void postpone(long id, Instant until) {
		this.jdbc.update("UPDATE " + OUTBOX + " SET NEXT_ATTEMPT = ? WHERE ID = ? AND DELIVERED IS NULL",
				Timestamp.from(until), id);
	}

	void delivered(long id, Instant now) {
		this.jdbc.update(
				"UPDATE " + OUTBOX + " SET DELIVERED = ?, ATTEMPTS = ATTEMPTS + 1, LAST_ERROR = NULL" + " WHERE ID = ?",
				Timestamp.from(now), id);
	}

	void failed(long id, String error, Instant nextAttempt) {
		this.jdbc.update(
				"UPDATE " + OUTBOX + " SET ATTEMPTS = ATTEMPTS + 1, NEXT_ATTEMPT = ?, LAST_ERROR = ?" + " WHERE ID = ?",
				Timestamp.from(nextAttempt), truncate(error), id);
	}

	void gaveUp(long id, String error, Instant now) {
		this.jdbc.update("UPDATE " + OUTBOX + " SET ATTEMPTS = ATTEMPTS + 1, GAVE_UP = ?, LAST_ERROR = ? WHERE ID = ?",
				Timestamp.from(now), truncate(error), id);
	}

	/** Stops the notifications of a subscription that was switched off or deleted. */
	void cancel(String subscription, Instant now) {
		this.jdbc.update(
				"UPDATE " + OUTBOX + " SET GAVE_UP = ?, LAST_ERROR = 'subscription no longer active'"
						+ " WHERE SUBSCRIPTION = ? AND DELIVERED IS NULL AND GAVE_UP IS NULL",
				Timestamp.from(now), subscription);
	}

	private static String truncate(String error) {
		return (error == null || error.length() <= 300) ? error : error.substring(0, 300);
	}

	/**
	 * A notification to deliver.
	 *
	 * @param id its row
	 * @param subscription the subscription's id
	 * @param resource the changed resource, versioned ({@code Type/id/_history/n})
	 * @param action {@code create}, {@code update} or {@code delete}
	 * @param created when the change was made
	 * @param attempts deliveries tried so far
	 * @param claimedAt the next-attempt time it was claimed with
	 */
	record Pending(long id, String subscription, String resource, String action, Instant created, int attempts,
			Timestamp claimedAt) {

	}

}
