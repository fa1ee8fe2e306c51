package org.openepaccs.notification;

import java.net.URI;
import java.time.Instant;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.searchparam.matcher.InMemoryMatchResult;
import ca.uhn.fhir.jpa.searchparam.matcher.SearchParamMatcher;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Subscription;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.security.Caller;
import org.openepaccs.security.Callers;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Subscriptions and the changes they announce. A new or changed {@code Subscription} is
 * checked (rest-hook, an https endpoint whose host resolves to addresses the server may
 * deliver to ({@link EndpointAddresses}), criteria this server can evaluate on each
 * change and that name only patients the caller may see) and made {@code active}, or
 * refused with the reason; the organisation that creates it is recorded. Every other
 * create, update or delete is matched against the active subscriptions' criteria and, for
 * each match whose organisation may see the people the change is about, a notification
 * joins the outbox in the same transaction.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class SubscriptionInterceptor implements FhirStorageInterceptor {

	private final SearchParamMatcher matcher;

	private final ActiveSubscriptions subscriptions;

	private final NotificationOutbox outbox;

	private final FhirContext fhirContext;

	private final NotificationProperties properties;

	private final Callers callers;

	private final CriteriaPatients criteriaPatients;

	private final Subscribers subscribers;

	private final SubscriberConsent consent;

	private final EndpointAddresses addresses;

	SubscriptionInterceptor(SearchParamMatcher matcher, ActiveSubscriptions subscriptions, NotificationOutbox outbox,
			FhirContext fhirContext, NotificationProperties properties, Callers callers,
			CriteriaPatients criteriaPatients, Subscribers subscribers, SubscriberConsent consent,
			EndpointAddresses addresses) {
		this.matcher = matcher;
		this.subscriptions = subscriptions;
		this.outbox = outbox;
		this.fhirContext = fhirContext;
		this.properties = properties;
		this.callers = callers;
		this.criteriaPatients = criteriaPatients;
		this.subscribers = subscribers;
		this.consent = consent;
		this.addresses = addresses;
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void subscriptionCreated(IBaseResource resource) {
		if (resource instanceof Subscription subscription) {
			accept(subscription);
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void subscriptionUpdated(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		if (resource instanceof Subscription subscription) {
			accept(subscription);
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		if (resource instanceof Subscription) {
			this.subscribers.created(resource.getIdElement().getIdPart(), callersOrganisation());
		}
		announce(resource, "create");
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		announce(resource, "update");
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		if (resource instanceof Subscription) {
			this.subscribers.deleted(resource.getIdElement().getIdPart());
		}
		announce(resource, "delete");
	}

	private void accept(Subscription subscription) {
		if (subscription.getStatus() == Subscription.SubscriptionStatus.OFF
				|| subscription.getStatus() == Subscription.SubscriptionStatus.ERROR) {
			return; // switched off by its owner: nothing to check
		}
		if (subscription.getChannel().getType() != Subscription.SubscriptionChannelType.RESTHOOK) {
			throw refused("channel.type must be rest-hook: it is the only channel this server delivers to");
		}
		URI endpoint;
		try {
			endpoint = URI.create(subscription.getChannel().getEndpoint());
		}
		catch (RuntimeException ex) {
			throw refused("channel.endpoint must be an http or https URL");
		}
		if (endpoint.getHost() == null
				|| !("https".equals(endpoint.getScheme()) || "http".equals(endpoint.getScheme()))) {
			throw refused("channel.endpoint must be an http or https URL");
		}
		if (!this.properties.allows(endpoint.toString())) {
			throw refused("channel.endpoint is not one this server may deliver to "
					+ "(epaccs.notifications.allowed-endpoints); ask its operator to allow your receiver");
		}
		String addressRefusal = this.addresses.refusal(endpoint);
		if (addressRefusal != null) {
			throw refused(addressRefusal);
		}
		if (subscription.getChannel().hasPayload()) {
			throw refused("channel.payload must be left out: notifications here name what changed but carry no "
					+ "clinical content, so that the receiver reads the record with its own access token and consent "
					+ "to share applies");
		}
		String criteria = subscription.getCriteria();
		String type = (criteria != null) ? ActiveSubscriptions.resourceType(criteria) : null;
		if (type == null || !this.fhirContext.getResourceTypes().contains(type)) {
			throw refused("criteria must be a search on a resource type, e.g. CarePlan?subject=Patient/{id}");
		}
		InMemoryMatchResult check = this.matcher.match(criteria,
				this.fhirContext.getResourceDefinition(type).newInstance(), null);
		if (!check.supported()) {
			throw refused("criteria cannot be checked against each change: " + check.getUnsupportedReason()
					+ "; use plain search parameters of the resource (no chains or _has)");
		}
		String organisation = callersOrganisation();
		for (String patient : this.criteriaPatients.named(criteria)) {
			if (!this.criteriaPatients.known(patient, organisation)) {
				// the same answer for a patient hidden from the caller as for one never
				// stored
				throw refused("criteria names a patient not known here; a reference to anything other than a "
						+ "patient must name its type (e.g. Group/{id})");
			}
		}
		subscription.setStatus(Subscription.SubscriptionStatus.ACTIVE);
	}

	private void announce(IBaseResource resource, String action) {
		if (resource instanceof Subscription subscription) {
			if (subscription.getStatus() != Subscription.SubscriptionStatus.ACTIVE || "delete".equals(action)) {
				this.outbox.cancel(subscription.getIdElement().getIdPart(), Instant.now());
			}
			afterCommit(this.subscriptions::refresh);
			return;
		}
		Set<String> patients = null;
		for (Subscription subscription : this.subscriptions.forType(resource.fhirType())) {
			if (this.matcher.match(subscription.getCriteria(), resource, null).matched()) {
				patients = (patients != null) ? patients : this.consent.patientsOf(resource);
				if (!this.consent.sharedWith(patients,
						this.subscriptions.organisationOf(subscription.getIdElement().getIdPart()))) {
					continue;
				}
				this.outbox.add(subscription.getIdElement().getIdPart(),
						resource.fhirType() + "/" + resource.getIdElement().getIdPart()
								+ (resource.getIdElement().hasVersionIdPart()
										? "/_history/" + resource.getIdElement().getVersionIdPart() : ""),
						action, Instant.now());
			}
		}
	}

	/**
	 * The caller's organisation, or null for a caller without one and for the server's
	 * own writes.
	 */
	private String callersOrganisation() {
		return this.callers.current().map(Caller::organisation).orElse(null);
	}

	private static void afterCommit(Runnable action) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					action.run();
				}
			});
		}
		else {
			action.run();
		}
	}

	private static UnprocessableEntityException refused(String reason) {
		return new UnprocessableEntityException("Subscription refused: " + reason);
	}

}
