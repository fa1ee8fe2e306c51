package org.openepaccs.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SMART launch contexts of the embedded issuer: a launch id stands for a patient, is
 * opaque (random, it says nothing about the patient), short-lived and redeemed once. An
 * EHR (a trusted system client) asks for one with the patient it has open and passes it
 * to the app as {@code launch}; the standalone patient picker makes one for the user who
 * picked. The app's authorization request redeems it when the user has signed in, and the
 * token request then finds the patient by the same id, once, for the same client and
 * user. Kept in memory: the demo issuer runs in one process, and tokens do not survive a
 * restart either.
 */
final class LaunchContexts {

	/** What a launch id is waiting for, or has been redeemed by. */
	private record Entry(String patient, String boundUser, Instant expires, String redeemedBy, String redeemedFor) {

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

	private static final int MOST_WAITING = 10_000;

	private final SecureRandom random = new SecureRandom();

	private final Map<String, Entry> entries = new ConcurrentHashMap<>();

	private final Duration lifetime;

	private final Clock clock;

	LaunchContexts(Duration lifetime, Clock clock) {
		this.lifetime = lifetime;
		this.clock = clock;
	}

	/**
	 * A new launch id for this patient; {@code forUser} binds it to the one user who may
	 * redeem it (the picker's), or {@code null} for an EHR launch, which the user the EHR
	 * sends signs in to.
	 */
	String issue(String patient, String forUser) {
		forgetExpired();
		if (this.entries.size() >= MOST_WAITING) {
			throw new IllegalStateException("too many launch ids waiting to be redeemed");
		}
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		this.entries.put(id, new Entry(patient, forUser, this.clock.instant().plus(this.lifetime), null, null));
		return id;
	}

	/** Why this launch id cannot be redeemed by this user now, if it cannot. */
	Optional<Problem> check(String launchId, String user) {
		Entry entry = (launchId != null) ? this.entries.get(launchId) : null;
		if (entry == null || entry.expires().isBefore(this.clock.instant())) {
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
		Entry entry = this.entries.get(launchId);
		// the authorization code that follows lives minutes; the entry as long again
		Entry redeemed = new Entry(entry.patient(), entry.boundUser(),
				this.clock.instant().plus(this.lifetime).plus(this.lifetime), user, clientId);
		return this.entries.replace(launchId, entry, redeemed) ? Optional.empty() : Optional.of(Problem.USED);
	}

	/**
	 * The patient of a redeemed launch id, once, for the client and user who redeemed it.
	 */
	Optional<String> patientFor(String launchId, String clientId, String user) {
		Entry entry = (launchId != null) ? this.entries.get(launchId) : null;
		if (entry == null || entry.patient() == null || entry.redeemedBy() == null || !entry.redeemedBy().equals(user)
				|| !entry.redeemedFor().equals(clientId) || entry.expires().isBefore(this.clock.instant())) {
			return Optional.empty();
		}
		// kept, without its patient, until it expires: a second use is told it was used
		Entry taken = new Entry(null, entry.boundUser(), entry.expires(), entry.redeemedBy(), entry.redeemedFor());
		return this.entries.replace(launchId, entry, taken) ? Optional.of(entry.patient()) : Optional.empty();
	}

	private void forgetExpired() {
		Instant now = this.clock.instant();
		for (Iterator<Entry> it = this.entries.values().iterator(); it.hasNext();) {
			if (it.next().expires().isBefore(now)) {
				it.remove();
			}
		}
	}

}
