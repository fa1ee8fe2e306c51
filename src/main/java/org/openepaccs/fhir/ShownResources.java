package org.openepaccs.fhir;

import java.util.ArrayList;
import java.util.List;

import ca.uhn.fhir.interceptor.api.HookParams;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SimplePreResourceShowDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.rest.server.util.CompositeInterceptorBroadcaster;
import org.hl7.fhir.instance.model.api.IBaseResource;

import org.springframework.stereotype.Component;

/**
 * What a caller may see of resources the server found for itself: the storage hooks that
 * hide people who refused to share and apply the access rules (and that HAPI calls when
 * its own storage shows resources) run over them with the caller's request. For searches
 * an operation makes as the server, because HAPI cuts a search made with a client's
 * request to one page.
 */
@Component
public class ShownResources {

	private final IInterceptorBroadcaster interceptors;

	ShownResources(IInterceptorBroadcaster interceptors) {
		this.interceptors = interceptors;
	}

	public <T extends IBaseResource> List<T> to(RequestDetails request, List<T> resources) {
		List<IBaseResource> all = new ArrayList<>(resources);
		SimplePreResourceShowDetails details = new SimplePreResourceShowDetails(all);
		HookParams params = new HookParams().add(IPreResourceShowDetails.class, details)
			.add(RequestDetails.class, request)
			.addIfMatchesType(ServletRequestDetails.class, request);
		CompositeInterceptorBroadcaster.newCompositeBroadcaster(this.interceptors, request)
			.callHooks(Pointcut.STORAGE_PRESHOW_RESOURCES, params);
		List<T> shown = new ArrayList<>();
		for (int i = 0; i < details.size(); i++) {
			if (details.getResource(i) != null) {
				@SuppressWarnings("unchecked")
				T resource = (T) details.getResource(i);
				shown.add(resource);
			}
		}
		return shown;
	}

}
