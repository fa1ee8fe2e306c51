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
 * failure) and one when it recovers, not one per attempt. Kept by each replica for
 * itself; the outbox rows carry the back-off across restarts.
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
			return new Failing(failures, now.plus(this.properties.retryAfter(failures)));
		});
		if (started.get()) {
			logger.warn("Notification receiver {} is failing ({}); its notifications are retried with back-off",
					receiver, reason);
		}
		return state.retryAt();
	}

	void delivered(String receiver) {
		Failing before = this.failing.remove(receiver);
		if (before != null) {
			logger.info("Notification receiver {} has recovered after {} failed attempts", receiver, before.failures());
		}
	}

	private record Failing(int failures, Instant retryAt) {

	}

}
