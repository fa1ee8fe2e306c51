package org.openepaccs.notification;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers the outbox: every second, the notifications that are due are POSTed to their
 * subscription's endpoint. A failed delivery (no answer, or not 2xx) is tried again after
 * {@code retry-first}, then twice as long each time up to {@code retry-longest}, until
 * {@code give-up-after} has passed since the change. What it sends: a FHIR {@code Bundle}
 * of type {@code history} with one entry naming the changed resource and version, and no
 * resource, with the subscription's own {@code channel.header}s.
 * <p>
 * The log names subscriptions and outbox rows only: never a resource, a patient or a
 * header's value.
 */
@Component
@EnableConfigurationProperties(NotificationProperties.class)
class NotificationDispatcher {

	private static final Logger logger = LoggerFactory.getLogger(NotificationDispatcher.class);

	/** Which subscription a notification is for. */
	static final String SUBSCRIPTION_HEADER = "X-Subscription";

	private static final int BATCH = 20;

	private final NotificationOutbox outbox;

	private final ActiveSubscriptions subscriptions;

	private final NotificationProperties properties;

	private final FhirContext fhirContext;

	private final HttpClient http;

	NotificationDispatcher(NotificationOutbox outbox, ActiveSubscriptions subscriptions,
			NotificationProperties properties, FhirContext fhirContext) {
		this.outbox = outbox;
		this.subscriptions = subscriptions;
		this.properties = properties;
		this.fhirContext = fhirContext;
		this.http = HttpClient.newBuilder()
			.connectTimeout(properties.timeout())
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
	}

	@Scheduled(fixedDelay = 1000, initialDelay = 1000)
	void deliverDue() {
		Instant now = Instant.now();
		// claimed for longer than one delivery can take, so no other replica takes it
		Instant lease = now.plus(this.properties.timeout()).plusSeconds(5);
		try {
			for (NotificationOutbox.Pending pending : this.outbox.claimDue(now, lease, BATCH)) {
				deliver(pending);
			}
		}
		catch (RuntimeException ex) {
			// the database is away: the outbox waits for it
			logger.warn("Notification delivery paused: {}", ex.getClass().getSimpleName());
		}
	}

	private void deliver(NotificationOutbox.Pending pending) {
		Optional<Subscription> subscription = this.subscriptions.byId(pending.subscription());
		if (subscription.isEmpty()) {
			this.outbox.gaveUp(pending.id(), "subscription no longer active", Instant.now());
			return;
		}
		String failure;
		try {
			HttpResponse<Void> response = this.http.send(request(subscription.get(), pending),
					HttpResponse.BodyHandlers.discarding());
			if (response.statusCode() / 100 == 2) {
				this.outbox.delivered(pending.id(), Instant.now());
				return;
			}
			failure = "HTTP " + response.statusCode();
		}
		catch (IOException ex) {
			failure = ex.getClass().getSimpleName();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			failure = "interrupted";
		}
		Instant now = Instant.now();
		Instant next = now.plus(this.properties.retryAfter(pending.attempts() + 1));
		if (next.isAfter(pending.created().plus(this.properties.giveUpAfter()))) {
			this.outbox.gaveUp(pending.id(), failure, now);
			logger.warn("Gave up notification {} for Subscription/{} after {} attempts: {}", pending.id(),
					pending.subscription(), pending.attempts() + 1, failure);
		}
		else {
			this.outbox.failed(pending.id(), failure, next);
			logger.info("Notification {} for Subscription/{} not delivered ({}), retrying at {}", pending.id(),
					pending.subscription(), failure, next);
		}
	}

	private HttpRequest request(Subscription subscription, NotificationOutbox.Pending pending) {
		Bundle notification = new Bundle().setType(Bundle.BundleType.HISTORY);
		notification.setTimestamp(new Date());
		notification.setId("notification-" + pending.id());
		Bundle.BundleEntryComponent entry = notification.addEntry().setFullUrl(pending.resource());
		String versionless = pending.resource().replaceFirst("/_history/.*$", "");
		entry.getRequest()
			.setMethod("delete".equals(pending.action()) ? Bundle.HTTPVerb.DELETE
					: "create".equals(pending.action()) ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT)
			.setUrl(versionless);
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(subscription.getChannel().getEndpoint()))
			.timeout(this.properties.timeout())
			.header("Content-Type", "application/fhir+json")
			.header(SUBSCRIPTION_HEADER, "Subscription/" + pending.subscription())
			.POST(HttpRequest.BodyPublishers
				.ofString(this.fhirContext.newJsonParser().encodeResourceToString(notification)));
		for (StringType header : subscription.getChannel().getHeader()) {
			// one stored before headers were checked, that HTTP cannot carry, is left out
			// rather than stop every delivery of the subscription
			if (ChannelHeaders.problem(header.getValue()) == null && !ChannelHeaders.isMasked(header.getValue())) {
				request.header(ChannelHeaders.name(header.getValue()), ChannelHeaders.value(header.getValue()));
			}
		}
		return request.build();
	}

}
