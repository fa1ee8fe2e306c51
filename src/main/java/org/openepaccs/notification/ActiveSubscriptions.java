package org.openepaccs.notification;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import org.hl7.fhir.r4.model.Subscription;
import org.openepaccs.fhir.InternalSearch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The active rest-hook subscriptions by the resource type their criteria name, with the
 * organisation that created each, read from storage: on start, after a subscription
 * changes here, and every ten seconds for changes made through another replica.
 */
@Component
class ActiveSubscriptions {

	private static final Logger logger = LoggerFactory.getLogger(ActiveSubscriptions.class);

	private final DaoRegistry daoRegistry;

	private final Subscribers subscribers;

	private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(new Snapshot(Map.of(), Map.of()));

	private volatile boolean loaded;

	ActiveSubscriptions(DaoRegistry daoRegistry, Subscribers subscribers) {
		this.daoRegistry = daoRegistry;
		this.subscribers = subscribers;
	}

	List<Subscription> forType(String resourceType) {
		if (!this.loaded) {
			refresh();
		}
		return this.snapshot.get().byType().getOrDefault(resourceType, List.of());
	}

	/** The organisation that created the subscription, or null when none is recorded. */
	String organisationOf(String id) {
		if (!this.loaded) {
			refresh();
		}
		return this.snapshot.get().organisations().get(id);
	}

	List<Subscription> all() {
		if (!this.loaded) {
			refresh();
		}
		return this.snapshot.get().byType().values().stream().flatMap(List::stream).toList();
	}

	Optional<Subscription> byId(String id) {
		if (!this.loaded) {
			refresh();
		}
		return this.snapshot.get()
			.byType()
			.values()
			.stream()
			.flatMap(List::stream)
			.filter((subscription) -> id.equals(subscription.getIdElement().getIdPart()))
			.findFirst();
	}

	@Scheduled(fixedDelay = 10_000, initialDelay = 10_000)
	void refreshRegularly() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			// the database is away: keep what was read last, and try again in ten seconds
			// (a stack trace every ten seconds of an outage would bury the log)
			logger.warn("Active subscriptions not refreshed: {}", ex.getClass().getSimpleName());
		}
	}

	void refresh() {
		SearchParameterMap active = InternalSearch.all().add(Subscription.SP_STATUS, new TokenParam("active"));
		List<Subscription> subscriptions = this.daoRegistry.getResourceDao(Subscription.class)
			.search(active, new SystemRequestDetails())
			.getResources(0, Integer.MAX_VALUE)
			.stream()
			.map(Subscription.class::cast)
			.filter((subscription) -> subscription.getChannel()
				.getType() == Subscription.SubscriptionChannelType.RESTHOOK)
			.toList();
		// read after the subscriptions: a subscription's row is committed with it
		Map<String, String> organisations = this.subscribers.organisations();
		this.snapshot.set(new Snapshot(
				subscriptions.stream()
					.collect(Collectors.groupingBy((subscription) -> resourceType(subscription.getCriteria()))),
				organisations));
		this.loaded = true;
	}

	static String resourceType(String criteria) {
		int query = criteria.indexOf('?');
		return (query < 0) ? criteria : criteria.substring(0, query);
	}

	private record Snapshot(Map<String, List<Subscription>> byType, Map<String, String> organisations) {

	}

}
