package org.openepaccs.notification;

import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each receiver (scheme, host and port) is answering, and when a failing one may
 * be tried again: its failures in a row set one back-off for every notification to it, so
 * a receiver that is down costs one attempt per back-off, not one per waiting
 * notification. The log has one line when a receiver starts failing (with the class of
 * failure), one when its notifications start being given up, and one when it recovers
 * (with how many were given up), not one per attempt or per notification. Kept by each
 * replica for itself; the outbox rows carry the back-off across restarts.
 */
final class EndpointHealth {

	private static final Logger logger = LoggerFactory.getLogger(EndpointHealth.class);

	private final Map<String, Failing> failing = new ConcurrentHashMap<>();

	private final NotificationProperties properties;

	EndpointHealth(NotificationProperties properties) {
		this.properties = properties;
	}

	/** The receiver of an endpoint: its scheme, host and port. */
	static String receiver(URI endpoint) {
		String scheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
		int port = (endpoint.getPort() >= 0) ? endpoint.getPort() : "https".equals(scheme) ? 443 : 80;
		return scheme + "://" + endpoint.getHost().toLowerCase(Locale.ROOT) + ":" + port;
	}

	/** When the receiver may be tried again, or null when it may be tried now. */
	Instant backingOffUntil(String receiver, Instant now) {
		Failing state = this.failing.get(receiver);
		return (state != null && state.retryAt().isAfter(now)) ? state.retryAt() : null;
	}

	/** Records a failed delivery, and says when the receiver may be tried again. */
	Instant failed(String receiver, String reason, Instant now) {
		AtomicBoolean started = new AtomicBoolean();
		Failing state = this.failing.compute(receiver, (key, before) -> {
			int failures = (before != null) ? before.failures() + 1 : 1;
			started.set(before == null);
			return new Failing(failures, now.plus(this.properties.retryAfter(failures)),
					(before != null) ? before.givenUp() : 0);
		});
		if (started.get()) {
			logger.warn("Notification receiver {} is failing ({}); its notifications are retried with back-off",
					receiver, reason);
		}
		return state.retryAt();
	}

	/**
	 * Records a notification to the failing receiver given up (tried for longer than
	 * {@code give-up-after}); the first of a failing spell is logged.
	 */
	void gaveUp(String receiver, String reason) {
		AtomicBoolean first = new AtomicBoolean();
		this.failing.computeIfPresent(receiver, (key, before) -> {
			first.set(before.givenUp() == 0);
			return new Failing(before.failures(), before.retryAt(), before.givenUp() + 1);
		});
		if (first.get()) {
			logger.warn(
					"Notifications to receiver {} are being given up ({}): it has failed for longer than "
							+ "epaccs.notifications.give-up-after; how many is logged when it recovers",
					receiver, reason);
		}
	}

	void delivered(String receiver) {
		Failing before = this.failing.remove(receiver);
		if (before != null) {
			logger.info("Notification receiver {} has recovered after {} failed attempts; {} notifications to it were "
					+ "given up", receiver, before.failures(), before.givenUp());
		}
	}

	private record Failing(int failures, Instant retryAt, int givenUp) {

	}

}
