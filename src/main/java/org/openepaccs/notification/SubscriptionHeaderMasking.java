package org.openepaccs.notification;

import java.util.Optional;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.security.Caller;
import org.openepaccs.security.Callers;
import org.openepaccs.security.Role;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * A Subscription's {@code channel.header} values are the receiver's secrets: everyone but
 * the admin role sees them as {@code Name: ***}, whatever the path (read, vread, search,
 * includes, history, paging, batch and transaction entries, and the body a create, update
 * or patch returns). Storage shows resources through {@code STORAGE_PRESHOW_RESOURCES}; a
 * create or update's response body is taken before that hook replaces it, and a
 * transaction's entries are assembled from several places, so the outgoing response is
 * masked as well. Always a masked copy: the object shown may be the one just stored or
 * one another request holds.
 * <p>
 * Registered with the REST server only: the server's own reads (the active subscriptions
 * the dispatcher sends with) carry no client request, and so see the stored values.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class SubscriptionHeaderMasking implements FhirServerInterceptor {

	private final Callers callers;

	SubscriptionHeaderMasking(Callers callers) {
		this.callers = callers;
	}

	@Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
	public void maskShown(IPreResourceShowDetails shown) {
		for (int i = 0; i < shown.size(); i++) {
			IBaseResource resource = shown.getResource(i);
			if (resource instanceof Subscription subscription && hasSecrets(subscription) && !isAdmin()) {
				shown.setResource(i, masked(subscription));
			}
		}
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean maskResponse(ResponseDetails response) {
		IBaseResource body = response.getResponseResource();
		if (body != null && holdsSecrets(body) && !isAdmin()) {
			IBaseResource copy = ((Resource) body).copy();
			maskWithin(copy);
			response.setResponseResource(copy);
		}
		return true;
	}

	private boolean isAdmin() {
		Optional<Caller> caller = this.callers.current();
		return caller.isPresent() && caller.get().role() == Role.ADMIN;
	}

	/**
	 * Whether a response holds a Subscription with a header value not yet masked: itself,
	 * in a Bundle's entries (and Bundles within them), or in an operation's Parameters.
	 */
	private static boolean holdsSecrets(IBaseResource resource) {
		if (resource instanceof Subscription subscription) {
			return hasSecrets(subscription);
		}
		if (resource instanceof Bundle bundle) {
			return bundle.getEntry().stream().anyMatch((entry) -> holdsSecrets(entry.getResource()));
		}
		if (resource instanceof Parameters parameters) {
			return parameters.getParameter().stream().anyMatch(SubscriptionHeaderMasking::holdsSecrets);
		}
		return false;
	}

	private static boolean holdsSecrets(Parameters.ParametersParameterComponent parameter) {
		return holdsSecrets(parameter.getResource())
				|| parameter.getPart().stream().anyMatch(SubscriptionHeaderMasking::holdsSecrets);
	}

	private static boolean hasSecrets(Subscription subscription) {
		return subscription.getChannel()
			.getHeader()
			.stream()
			.anyMatch((header) -> header.getValue() != null && !ChannelHeaders.isMasked(header.getValue()));
	}

	/** Masks, in place, a copy made for this response. */
	private static void maskWithin(IBaseResource resource) {
		if (resource instanceof Subscription subscription) {
			maskHeaders(subscription);
		}
		else if (resource instanceof Bundle bundle) {
			bundle.getEntry().forEach((entry) -> maskWithin(entry.getResource()));
		}
		else if (resource instanceof Parameters parameters) {
			parameters.getParameter().forEach(SubscriptionHeaderMasking::maskWithin);
		}
	}

	private static void maskWithin(Parameters.ParametersParameterComponent parameter) {
		maskWithin(parameter.getResource());
		parameter.getPart().forEach(SubscriptionHeaderMasking::maskWithin);
	}

	private static Subscription masked(Subscription subscription) {
		Subscription copy = subscription.copy();
		maskHeaders(copy);
		return copy;
	}

	private static void maskHeaders(Subscription subscription) {
		for (StringType header : subscription.getChannel().getHeader()) {
			if (header.getValue() != null) {
				header.setValue(ChannelHeaders.masked(header.getValue()));
			}
		}
	}

}
