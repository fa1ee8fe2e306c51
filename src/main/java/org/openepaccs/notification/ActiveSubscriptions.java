package org.openepaccs.notification;

import java.time.Duration;
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

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The active rest-hook subscriptions by the resource type their criteria name, with the
 * organisation that created each, read from storage: on start, after a subscription
 * changes here, and when one changed through another replica. For that, a replica asks at
 * most once per {@link #FRESHNESS}, while it is being used, whether the stored
 * subscriptions changed (their number and latest update, one indexed query over a few
 * rows), so a subscription created through one replica hears of changes made through any
 * other from at most that long after its creation; every ten seconds it reads them again
 * in any case.
 */
@Component
class ActiveSubscriptions {

	private static final Logger logger = LoggerFactory.getLogger(ActiveSubscriptions.class);

	private final DaoRegistry daoRegistry;

	private final Subscribers subscribers;

	private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(new Snapshot(Map.of(), Map.of()));

	/** How long a replica goes without asking whether subscriptions changed. */
	static final Duration FRESHNESS = Duration.ofSeconds(1);

	private final JdbcTemplate jdbc;

	private volatile boolean loaded;

	private volatile String seenChanges;

	private volatile long changesCheckedAt;

	ActiveSubscriptions(DaoRegistry daoRegistry, Subscribers subscribers, JdbcTemplate jdbc) {
		this.daoRegistry = daoRegistry;
		this.subscribers = subscribers;
		this.jdbc = jdbc;
	}

	/**
	 * Reads the subscriptions on first use, and again when they changed through another
	 * replica since the last look.
	 */
	private void refreshIfChanged() {
		if (!this.loaded) {
			refresh();
			return;
		}
		long now = System.nanoTime();
		if (now - this.changesCheckedAt < FRESHNESS.toNanos()) {
			return;
		}
		this.changesCheckedAt = now;
		try {
			if (!changes().equals(this.seenChanges)) {
				refresh();
			}
		}
		catch (RuntimeException ex) {
			// the database is away: what was read last holds until it is back
			logger.debug("Subscriptions not checked for changes: {}", ex.getClass().getSimpleName());
		}
	}

	/** What changes when a subscription is created, updated or deleted. */
	private String changes() {
		return this.jdbc.queryForObject(
				"SELECT COUNT(*) || ' ' || COALESCE(CAST(MAX(RES_UPDATED) AS VARCHAR(40)), '') FROM HFJ_RESOURCE"
						+ " WHERE RES_TYPE = 'Subscription'",
				String.class);
	}

	List<Subscription> forType(String resourceType) {
		refreshIfChanged();
		return this.snapshot.get().byType().getOrDefault(resourceType, List.of());
	}

	/** The organisation that created the subscription, or null when none is recorded. */
	String organisationOf(String id) {
		refreshIfChanged();
		return this.snapshot.get().organisations().get(id);
	}

	List<Subscription> all() {
		refreshIfChanged();
		return this.snapshot.get().byType().values().stream().flatMap(List::stream).toList();
	}

	Optional<Subscription> byId(String id) {
		refreshIfChanged();
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
		// read before the subscriptions: a change made meanwhile is found at the next
		// look
		String changes = changes();
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
		this.seenChanges = changes;
		this.loaded = true;
	}

	static String resourceType(String criteria) {
		int query = criteria.indexOf('?');
		return (query < 0) ? criteria : criteria.substring(0, query);
	}

	private record Snapshot(Map<String, List<Subscription>> byType, Map<String, String> organisations) {

	}

}
