package org.openepaccs.notification;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * What a Subscription's {@code channel.header}s may be when stored. Each is a valid
 * {@code Name: value} header, so that a delivery cannot be split into two requests or
 * fail for good. A client only ever sees the values masked, so an update that sends a
 * header back as {@code Name: ***} keeps the value stored under that name; a create
 * cannot, and would store the mask. And no stored value may be copied elsewhere in the
 * Subscription (a JSON Patch {@code copy} into {@code reason}), where it would be shown
 * unmasked.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class SubscriptionHeaderGuard implements FhirStorageInterceptor {

	private final FhirTerser terser;

	SubscriptionHeaderGuard(FhirContext fhirContext) {
		this.terser = fhirContext.newTerser();
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		if (resource instanceof Subscription subscription) {
			List<StringType> headers = subscription.getChannel().getHeader();
			for (int i = 0; i < headers.size(); i++) {
				if (ChannelHeaders.isMasked(headers.get(i).getValue())) {
					throw refused(i, "has the masked value " + ChannelHeaders.MASK
							+ ": a new Subscription needs the header's real value");
				}
			}
			check(subscription);
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		if (resource instanceof Subscription subscription) {
			List<String> stored = (previous instanceof Subscription before) ? before.getChannel()
				.getHeader()
				.stream()
				.map(StringType::getValue)
				.filter((header) -> header != null && !header.isEmpty())
				.toList() : List.of();
			keepStoredValues(subscription, stored);
			refuseCopies(subscription, stored);
			check(subscription);
		}
	}

	/**
	 * Puts back the stored value of each header sent masked: the stored headers of the
	 * same name (in any case), in their order.
	 */
	private static void keepStoredValues(Subscription subscription, List<String> stored) {
		Map<String, Deque<String>> byName = new HashMap<>();
		for (String header : stored) {
			String name = ChannelHeaders.name(header);
			if (name != null) {
				byName.computeIfAbsent(name.toLowerCase(Locale.ROOT), (key) -> new ArrayDeque<>()).add(header);
			}
		}
		List<StringType> headers = subscription.getChannel().getHeader();
		for (int i = 0; i < headers.size(); i++) {
			if (!ChannelHeaders.isMasked(headers.get(i).getValue())) {
				continue;
			}
			String name = ChannelHeaders.name(headers.get(i).getValue());
			Deque<String> values = (name != null) ? byName.get(name.toLowerCase(Locale.ROOT)) : null;
			String kept = (values != null) ? values.poll() : null;
			if (kept == null) {
				throw refused(i, "has the masked value " + ChannelHeaders.MASK
						+ " but the stored Subscription has no value of that name to keep; send the real value");
			}
			headers.get(i).setValue(kept);
		}
	}

	private void refuseCopies(Subscription subscription, List<String> stored) {
		if (stored.isEmpty()) {
			return;
		}
		Set<Object> headers = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
		headers.addAll(subscription.getChannel().getHeader());
		for (IPrimitiveType<?> element : this.terser.getAllPopulatedChildElementsOfType(subscription,
				IPrimitiveType.class)) {
			String text = headers.contains(element) ? null : element.getValueAsString();
			if (text != null && stored.stream().anyMatch(text::contains)) {
				throw new UnprocessableEntityException("Subscription refused: a channel.header of this Subscription "
						+ "is copied into another of its elements, where it would be shown unmasked; a header's "
						+ "value belongs in channel.header only");
			}
		}
	}

	private static void check(Subscription subscription) {
		List<StringType> headers = subscription.getChannel().getHeader();
		if (headers.size() > ChannelHeaders.MOST) {
			throw refused(ChannelHeaders.MOST,
					"is one more than the " + ChannelHeaders.MOST + " headers a Subscription may have");
		}
		for (int i = 0; i < headers.size(); i++) {
			String problem = ChannelHeaders.problem(headers.get(i).getValue());
			if (problem != null) {
				throw refused(i, problem);
			}
		}
	}

	private static UnprocessableEntityException refused(int index, String problem) {
		return new UnprocessableEntityException("Subscription refused: channel.header[" + index + "] " + problem);
	}

}
