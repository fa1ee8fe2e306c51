package org.openepaccs.notification;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How notifications are delivered ({@code epaccs.notifications.*}).
 *
 * @param retryFirst the wait before the first retry of a failed delivery; each further
 * retry waits twice as long as the one before
 * @param retryLongest the longest wait between retries
 * @param giveUpAfter how long after the change to stop trying
 * @param timeout how long one delivery may take, from connecting to the end of the answer
 * @param allowedEndpoints the URL prefixes subscriptions may deliver to (for example
 * {@code https://ooh.example.nhs.uk/}); it narrows what the address rules allow, and
 * empty leaves them as they are
 * @param allowedAddresses CIDR ranges (for example {@code 10.20.0.0/16} or
 * {@code 127.0.0.1/32}) the server may deliver to although they are loopback, private,
 * link-local or otherwise not public; by default it delivers to public addresses only
 * @param allowHttp whether endpoints may be plain {@code http}; off by default, for tests
 * and closed networks only
 */
@ConfigurationProperties("epaccs.notifications")
record NotificationProperties(@DefaultValue("5s") Duration retryFirst, @DefaultValue("2m") Duration retryLongest,
		@DefaultValue("24h") Duration giveUpAfter, @DefaultValue("10s") Duration timeout,
		@DefaultValue List<String> allowedEndpoints, @DefaultValue List<String> allowedAddresses,
		@DefaultValue("false") boolean allowHttp) {

	NotificationProperties {
		allowedEndpoints = (allowedEndpoints != null) ? List.copyOf(allowedEndpoints) : List.of();
		for (String prefix : allowedEndpoints) {
			if (!prefix.startsWith("https://") && !prefix.startsWith("http://")) {
				throw new IllegalArgumentException(
						"epaccs.notifications.allowed-endpoints must list http:// or https:// URL prefixes, not '"
								+ prefix + "'");
			}
		}
		allowedAddresses = (allowedAddresses != null) ? List.copyOf(allowedAddresses) : List.of();
		for (String range : allowedAddresses) {
			try {
				EndpointAddresses.Range.of(range, "allowed");
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException(
						"epaccs.notifications.allowed-addresses must list CIDR ranges such as 10.20.0.0/16, not '"
								+ range + "'");
			}
		}
		if (retryFirst.isNegative() || retryFirst.isZero() || retryLongest.compareTo(retryFirst) < 0) {
			throw new IllegalArgumentException("epaccs.notifications.retry-first must be positive and no longer than "
					+ "epaccs.notifications.retry-longest");
		}
		if (giveUpAfter.compareTo(retryLongest) < 0) {
			throw new IllegalArgumentException(
					"epaccs.notifications.give-up-after must be at least epaccs.notifications.retry-longest");
		}
		if (timeout.isNegative() || timeout.isZero() || timeout.toSeconds() > 60) {
			throw new IllegalArgumentException("epaccs.notifications.timeout must be between 1 ms and 60 s");
		}
	}

	boolean allows(String endpoint) {
		return this.allowedEndpoints.isEmpty() || this.allowedEndpoints.stream().anyMatch(endpoint::startsWith);
	}

	/** The wait before retry number {@code attempts} (1 = the first retry). */
	Duration retryAfter(int attempts) {
		Duration wait = this.retryFirst;
		for (int i = 1; i < attempts && wait.compareTo(this.retryLongest) < 0; i++) {
			wait = wait.multipliedBy(2);
		}
		return (wait.compareTo(this.retryLongest) > 0) ? this.retryLongest : wait;
	}

}
