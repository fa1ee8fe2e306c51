package org.openepaccs.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The SMART launch contexts: a launch id stands for a patient, is opaque (random, it says
 * nothing about the patient), short-lived and redeemed once. An EHR (a trusted system
 * client) asks for one with the patient it has open and passes it to the app as
 * {@code launch}; the embedded issuer's standalone patient picker makes one for the user
 * who picked. With the embedded issuer, the app's authorization request redeems it when
 * the user has signed in, and the token request then finds the patient by the same id,
 * once, for the same client and user; with another issuer, the app redeems it itself with
 * its user's token ({@link LaunchContextEndpoint}).
 * <p>
 * Kept in the database, so that a launch started on one replica is redeemed on any; only
 * each id's SHA-256 is stored, so whoever reads the table cannot use the ids in it. Every
 * change is one conditional update, so two replicas redeeming one id at once cannot both
 * succeed.
 */
final class LaunchContexts {

	/** What a launch id is waiting for, or has been redeemed by. */
	private record Entry(String patient, String boundUser, long expires, String redeemedBy, String redeemedFor) {

	}

	/** Why a launch id cannot be used. */
	enum Problem {

		UNKNOWN("the launch id is unknown or has expired"), USED("the launch id has already been used"),
		OTHER_USER("the launch id was made for another user");

		private final String description;

		Problem(String description) {
			this.description = description;
		}

		String description() {
			return this.description;
		}

	}

	/** Refused: too many launch ids are waiting, from this starter or from everyone. */
	static final class TooManyWaiting extends RuntimeException {

		TooManyWaiting(String message) {
			super(message);
		}

	}

	private static final int MOST_WAITING = 10_000;

	/**
	 * What one EHR client (or one picker's user) may keep waiting at once, so that one
	 * cannot fill the table and stop every other's launches.
	 */
	private static final int MOST_WAITING_PER_STARTER = 1_000;

	private static final String TABLE = "EPACCS_LAUNCH_CONTEXT";

	private final SecureRandom random = new SecureRandom();

	private final JdbcTemplate jdbc;

	private final Duration lifetime;

	private final Clock clock;

	LaunchContexts(DataSource dataSource, Duration lifetime, Clock clock) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.lifetime = lifetime;
		this.clock = clock;
	}

	/**
	 * A new launch id for this patient, started by {@code startedBy} (the EHR client, or
	 * the picker's user); {@code forUser} binds it to the one user who may redeem it (the
	 * picker's), or {@code null} for an EHR launch, which the user the EHR sends signs in
	 * to.
	 * @throws TooManyWaiting when the starter, or everyone, has too many waiting
	 */
	String issue(String patient, String forUser, String startedBy) {
		long now = this.clock.millis();
		this.jdbc.update("DELETE FROM " + TABLE + " WHERE EXPIRES < ?", now);
		// only launches nobody has used yet count against their starter: a used one stays
		// until its
		// code's time is up, but is no longer waiting
		Integer mine = this.jdbc.queryForObject(
				"SELECT COUNT(*) FROM " + TABLE + " WHERE STARTED_BY = ? AND REDEEMED_BY IS NULL", Integer.class,
				startedBy);
		if (mine != null && mine >= MOST_WAITING_PER_STARTER) {
			throw new TooManyWaiting(MOST_WAITING_PER_STARTER + " launches started by the same client or user are "
					+ "waiting to be used; try again when some have been used or have expired (after "
					+ this.lifetime.toMinutes() + " minutes)");
		}
		Integer waiting = this.jdbc.queryForObject("SELECT COUNT(*) FROM " + TABLE, Integer.class);
		if (waiting != null && waiting >= MOST_WAITING) {
			throw new TooManyWaiting("too many launches are waiting to be used; try again in a few minutes");
		}
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		this.jdbc.update(
				"INSERT INTO " + TABLE
						+ " (ID_SHA256, PATIENT, BOUND_USER, EXPIRES, STARTED_BY) VALUES (?, ?, ?, ?, ?)",
				sha256(id), patient, forUser, now + this.lifetime.toMillis(), startedBy);
		return id;
	}

	/** Why this launch id cannot be redeemed by this user now, if it cannot. */
	Optional<Problem> check(String launchId, String user) {
		Entry entry = find(launchId);
		if (entry == null || entry.expires() < this.clock.millis()) {
			return Optional.of(Problem.UNKNOWN);
		}
		if (entry.redeemedBy() != null) {
			return Optional.of(Problem.USED);
		}
		if (entry.boundUser() != null && user != null && !entry.boundUser().equals(user)) {
			return Optional.of(Problem.OTHER_USER);
		}
		return Optional.empty();
	}

	/**
	 * Redeems the launch id for this client and signed-in user: from now on only their
	 * token request can have its patient, and nobody can redeem it again.
	 */
	Optional<Problem> redeem(String launchId, String clientId, String user) {
		Optional<Problem> problem = check(launchId, user);
		if (problem.isPresent()) {
			return problem;
		}
		long now = this.clock.millis();
		// the authorization code that follows lives minutes; the entry as long again
		int redeemed = this.jdbc.update(
				"UPDATE " + TABLE + " SET REDEEMED_BY = ?, REDEEMED_FOR = ?, EXPIRES = ? "
						+ "WHERE ID_SHA256 = ? AND REDEEMED_BY IS NULL AND EXPIRES >= ?",
				user, clientId, now + 2 * this.lifetime.toMillis(), sha256(launchId), now);
		return (redeemed == 1) ? Optional.empty() : Optional.of(Problem.USED);
	}

	/**
	 * The patient of a redeemed launch id, once, for the client and user who redeemed it.
	 */
	Optional<String> patientFor(String launchId, String clientId, String user) {
		Entry entry = find(launchId);
		if (entry == null || entry.patient() == null || entry.redeemedBy() == null || !entry.redeemedBy().equals(user)
				|| !entry.redeemedFor().equals(clientId) || entry.expires() < this.clock.millis()) {
			return Optional.empty();
		}
		// kept, without its patient, until it expires: a second use is told it was used
		int taken = this.jdbc.update("UPDATE " + TABLE + " SET PATIENT = NULL WHERE ID_SHA256 = ? AND PATIENT = ?",
				sha256(launchId), entry.patient());
		return (taken == 1) ? Optional.of(entry.patient()) : Optional.empty();
	}

	/** The patient of a launch id taken at once, or why it could not be. */
	record Taken(String patient, Problem problem) {

	}

	/**
	 * Redeems the launch id and takes its patient in one step, for an app whose user
	 * signed in at another issuer.
	 */
	Taken redeemAndTake(String launchId, String clientId, String user) {
		Optional<Problem> refused = redeem(launchId, clientId, user);
		if (refused.isPresent()) {
			return new Taken(null, refused.get());
		}
		return patientFor(launchId, clientId, user).map((patient) -> new Taken(patient, null))
			.orElseGet(() -> new Taken(null, Problem.USED));
	}

	private Entry find(String launchId) {
		if (launchId == null || launchId.isEmpty() || launchId.length() > 100) {
			return null;
		}
		List<Entry> found = this.jdbc.query(
				"SELECT PATIENT, BOUND_USER, EXPIRES, REDEEMED_BY, REDEEMED_FOR FROM " + TABLE + " WHERE ID_SHA256 = ?",
				(row, n) -> new Entry(row.getString(1), row.getString(2), row.getLong(3), row.getString(4),
						row.getString(5)),
				sha256(launchId));
		return found.isEmpty() ? null : found.get(0);
	}

	private static String sha256(String launchId) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(launchId.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java runtime has SHA-256", ex);
		}
	}

}
