package org.openepaccs.notification;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import ca.uhn.fhir.context.FhirContext;
import jakarta.annotation.PreDestroy;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers the outbox: every second, the subscriptions that have notifications due are
 * handed to a few workers, those waiting longest first, and each worker sends one
 * subscription's notifications in the order of the changes, a few at a time, and no two
 * workers send to one receiver at once. So a receiver that hangs holds up one worker, not
 * the others' notifications. A failed delivery (no answer, not 2xx, or an address no
 * longer allowed) is tried again after {@code retry-first}, then twice as long each time
 * up to {@code retry-longest}, until {@code give-up-after} has passed since the change;
 * the wait is kept per receiver ({@link EndpointHealth}), so every notification to a
 * failing receiver waits with it. What it sends: a FHIR {@code Bundle} of type
 * {@code history} with one entry naming the changed resource and version, and no
 * resource, with the subscription's own {@code channel.header}s.
 * <p>
 * The log names subscriptions, outbox rows and receivers only: never a resource, a
 * patient or a header's value.
 */
@Component
@EnableConfigurationProperties(NotificationProperties.class)
class NotificationDispatcher {

	private static final Logger logger = LoggerFactory.getLogger(NotificationDispatcher.class);

	/** Which subscription a notification is for. */
	static final String SUBSCRIPTION_HEADER = "X-Subscription";

	/** Subscriptions delivered to at the same time. */
	private static final int WORKERS = 4;

	/**
	 * Subscriptions with notifications due looked at each time, to find free receivers.
	 */
	private static final int CANDIDATES = 50;

	/** Notifications of one subscription sent before others get their turn. */
	private static final int PER_TURN = 10;

	private final NotificationOutbox outbox;

	private final ActiveSubscriptions subscriptions;

	private final NotificationProperties properties;

	private final FhirContext fhirContext;

	private final NotificationSender sender;

	private final EndpointHealth health;

	private final Set<String> busySubscriptions = ConcurrentHashMap.newKeySet();

	private final Set<String> busyReceivers = ConcurrentHashMap.newKeySet();

	private final ExecutorService workers;

	NotificationDispatcher(NotificationOutbox outbox, ActiveSubscriptions subscriptions,
			NotificationProperties properties, FhirContext fhirContext, EndpointAddresses addresses) {
		this.outbox = outbox;
		this.subscriptions = subscriptions;
		this.properties = properties;
		this.fhirContext = fhirContext;
		this.sender = new NotificationSender(addresses, properties.timeout());
		this.health = new EndpointHealth(properties);
		AtomicInteger threads = new AtomicInteger();
		this.workers = Executors.newFixedThreadPool(WORKERS, (task) -> {
			Thread thread = new Thread(task, "notification-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	@Scheduled(fixedDelay = 1000, initialDelay = 1000)
	void deliverDue() {
		if (this.busySubscriptions.size() >= WORKERS) {
			return;
		}
		try {
			for (String subscription : this.outbox.subscriptionsDue(Instant.now(), Set.copyOf(this.busySubscriptions),
					CANDIDATES)) {
				if (this.busySubscriptions.size() >= WORKERS) {
					return;
				}
				// one worker per receiver: many subscriptions to one receiver that hangs
				// hold up one worker, not all of them
				String receiver = receiverOf(subscription);
				if (!this.busyReceivers.add(receiver)) {
					continue;
				}
				this.busySubscriptions.add(subscription);
				this.workers.execute(() -> {
					try {
						deliverTurn(subscription);
					}
					catch (RuntimeException ex) {
						logger.warn("Notification delivery paused: {}", ex.getClass().getSimpleName());
					}
					finally {
						this.busySubscriptions.remove(subscription);
						this.busyReceivers.remove(receiver);
					}
				});
			}
		}
		catch (RuntimeException ex) {
			// the database is away: the outbox waits for it
			logger.warn("Notification delivery paused: {}", ex.getClass().getSimpleName());
		}
	}

	/** The subscription's receiver, or the subscription itself when it has none. */
	private String receiverOf(String subscription) {
		URI endpoint = this.subscriptions.byId(subscription).map(NotificationDispatcher::endpoint).orElse(null);
		return (endpoint != null) ? EndpointHealth.receiver(endpoint) : "Subscription/" + subscription;
	}

	/**
	 * The subscription's endpoint, or null when it is not an absolute URL with a host.
	 */
	private static URI endpoint(Subscription subscription) {
		try {
			URI endpoint = URI.create(subscription.getChannel().getEndpoint());
			return (endpoint.getHost() != null && endpoint.getScheme() != null) ? endpoint : null;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	@PreDestroy
	void stop() throws IOException {
		this.workers.shutdownNow();
		this.sender.close();
	}

	private void deliverTurn(String subscription) {
		String receiver = receiverOf(subscription);
		Instant waitUntil = this.health.backingOffUntil(receiver, Instant.now());
		if (waitUntil != null) {
			// due before this replica's back-off: it has heard of a failure the row has
			// not
			postpone(receiver, waitUntil);
			return;
		}
		for (int i = 0; i < PER_TURN; i++) {
			Instant now = Instant.now();
			// claimed for longer than one delivery can take, so no other replica takes it
			Instant lease = now.plus(this.properties.timeout()).plusSeconds(5);
			Optional<NotificationOutbox.Pending> pending = this.outbox.claimNext(subscription, now, lease);
			if (pending.isEmpty() || !deliver(pending.get())) {
				return;
			}
		}
	}

	/** Whether the notification was delivered. */
	private boolean deliver(NotificationOutbox.Pending pending) {
		Optional<Subscription> subscription = this.subscriptions.byId(pending.subscription());
		if (subscription.isEmpty()) {
			// created through another replica since this one last read them: read again
			// before giving up on it
			this.subscriptions.refresh();
			subscription = this.subscriptions.byId(pending.subscription());
		}
		if (subscription.isEmpty()) {
			this.outbox.gaveUp(pending.id(), "subscription no longer active", Instant.now());
			return true;
		}
		URI endpoint = endpoint(subscription.get());
		if (endpoint == null) {
			// stored before endpoints were checked: no retry can ever reach it
			this.outbox.gaveUp(pending.id(), "endpoint is not a URL", Instant.now());
			return true;
		}
		String receiver = EndpointHealth.receiver(endpoint);
		Instant waitUntil = this.health.backingOffUntil(receiver, Instant.now());
		if (waitUntil != null) {
			// the receiver failed while this was being claimed: it waits with the others
			this.outbox.postpone(pending.id(), waitUntil);
			postpone(receiver, waitUntil);
			return false;
		}
		String failure = this.sender.send(endpoint, headers(subscription.get(), pending), body(pending));
		Instant now = Instant.now();
		if (failure == null) {
			this.outbox.delivered(pending.id(), now);
			this.health.delivered(receiver);
			return true;
		}
		Instant receiverRetry = this.health.failed(receiver, failure, now);
		Instant next = now.plus(this.properties.retryAfter(pending.attempts() + 1));
		next = next.isAfter(receiverRetry) ? next : receiverRetry;
		if (next.isAfter(pending.created().plus(this.properties.giveUpAfter()))) {
			this.outbox.gaveUp(pending.id(), failure, now);
			this.health.gaveUp(receiver, failure);
		}
		else {
			this.outbox.failed(pending.id(), failure, next);
		}
		postpone(receiver, receiverRetry);
		return false;
	}

	/**
	 * Moves every notification waiting for the receiver to {@code until}, so that other
	 * replicas and the next turns wait with it rather than try it again.
	 */
	private void postpone(String receiver, Instant until) {
		for (Subscription subscription : this.subscriptions.all()) {
			URI endpoint = endpoint(subscription);
			if (endpoint != null && receiver.equals(EndpointHealth.receiver(endpoint))) {
				this.outbox.postpone(subscription.getIdElement().getIdPart(), until);
			}
		}
	}

	private List<Map.Entry<String, String>> headers(Subscription subscription, NotificationOutbox.Pending pending) {
		List<Map.Entry<String, String>> headers = new ArrayList<>();
		headers.add(Map.entry(SUBSCRIPTION_HEADER, "Subscription/" + pending.subscription()));
		for (StringType header : subscription.getChannel().getHeader()) {
			// one stored before headers were checked, that HTTP cannot carry, is left out
			// rather than stop every delivery of the subscription
			if (ChannelHeaders.problem(header.getValue()) == null && !ChannelHeaders.isMasked(header.getValue())) {
				headers.add(Map.entry(ChannelHeaders.name(header.getValue()), ChannelHeaders.value(header.getValue())));
			}
		}
		return headers;
	}

	private String body(NotificationOutbox.Pending pending) {
		Bundle notification = new Bundle().setType(Bundle.BundleType.HISTORY);
		notification.setTimestamp(new Date());
		notification.setId("notification-" + pending.id());
		Bundle.BundleEntryComponent entry = notification.addEntry().setFullUrl(pending.resource());
		String versionless = pending.resource().replaceFirst("/_history/.*$", "");
		entry.getRequest()
			.setMethod("delete".equals(pending.action()) ? Bundle.HTTPVerb.DELETE
					: "create".equals(pending.action()) ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT)
			.setUrl(versionless);
		return this.fhirContext.newJsonParser().encodeResourceToString(notification);
	}

}
