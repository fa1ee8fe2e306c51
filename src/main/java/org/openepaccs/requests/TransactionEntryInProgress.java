package org.openepaccs.requests;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;

/**
 * Remembers which entry of a transaction HAPI is storing, so that a refusal raised while
 * it is stored (a record rule, an NHS number check, the validation of a PATCH's result)
 * can name that entry ({@link TransactionEntryRefusals}) the way a refused validation of
 * the whole transaction names each failing entry: index, fullUrl and request. An entry is
 * in progress from the first of its storage hooks until the last of them has passed; a
 * failure outside that window (HAPI's own reference checks, the end of the transaction)
 * is left unattributed rather than pinned on the wrong entry.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class TransactionEntryInProgress implements FhirStorageInterceptor {

	private static final String NAMES = TransactionEntryInProgress.class.getName() + ".names";

	private static final String CURRENT = TransactionEntryInProgress.class.getName() + ".current";

	private static final String IN_BATCH = TransactionEntryInProgress.class.getName() + ".inBatch";

	/** Two entries naming the same resource cannot be told apart by it. */
	private static final String AMBIGUOUS = "";

	private static final int FIRST = Integer.MIN_VALUE / 2;

	private static final int LAST = Integer.MAX_VALUE / 2;

	@Hook(value = Pointcut.STORAGE_TRANSACTION_PROCESSING, order = -20)
	public void transactionStarting(IBaseBundle bundle, RequestDetails request) {
		if (request == null || !(bundle instanceof Bundle r4) || request.getUserData().get(IN_BATCH) != null) {
			return;
		}
		if (r4.getType() == Bundle.BundleType.BATCH) {
			// HAPI answers each entry of a batch on its own, as a transaction of one
			request.getUserData().put(IN_BATCH, Boolean.TRUE);
			return;
		}
		if (r4.getType() != Bundle.BundleType.TRANSACTION) {
			return;
		}
		Names names = new Names();
		List<BundleEntryComponent> entries = r4.getEntry();
		for (int index = 0; index < entries.size(); index++) {
			BundleEntryComponent entry = entries.get(index);
			HTTPVerb method = entry.getRequest().getMethod();
			String url = entry.getRequest().getUrl();
			String name = "Entry " + index + " (" + (entry.hasFullUrl() ? entry.getFullUrl() : "no fullUrl") + ", "
					+ method + " " + url + "): ";
			if ((method == HTTPVerb.POST || method == HTTPVerb.PUT) && entry.getResource() != null) {
				names.byResource.put(entry.getResource(), name);
			}
			else if ((method == HTTPVerb.PATCH || method == HTTPVerb.DELETE) && url != null) {
				names.byTarget.merge(target(url), name, (first, second) -> AMBIGUOUS);
			}
		}
		request.getUserData().put(NAMES, names);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = FIRST)
	public void creating(IBaseResource resource, RequestDetails request) {
		begin(resource, request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = FIRST)
	public void updating(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		begin(resource, request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED, order = FIRST)
	public void deleting(IBaseResource resource, RequestDetails request) {
		begin(resource, request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = LAST)
	public void created(IBaseResource resource, RequestDetails request) {
		end(request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = LAST)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		end(request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED, order = LAST)
	public void deleted(IBaseResource resource, RequestDetails request) {
		end(request);
	}

	/**
	 * How a refusal of this request names the transaction entry being stored, e.g.
	 * {@code "Entry 2 (urn:uuid:..., PATCH CarePlan/1): "}; empty when no entry is known
	 * to be in progress.
	 */
	static String current(RequestDetails request) {
		return (request != null && request.getUserData().get(CURRENT) instanceof String name) ? name : "";
	}

	private static void begin(IBaseResource resource, RequestDetails request) {
		if (request == null || !(request.getUserData().get(NAMES) instanceof Names names)) {
			return;
		}
		String name = names.byResource.get(resource);
		if (name == null && resource != null && resource.getIdElement().hasIdPart()) {
			name = names.byTarget.get(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
		}
		if (name == null || name.equals(AMBIGUOUS)) {
			request.getUserData().remove(CURRENT);
		}
		else {
			request.getUserData().put(CURRENT, name);
		}
	}

	private static void end(RequestDetails request) {
		if (request != null) {
			request.getUserData().remove(CURRENT);
		}
	}

	/**
	 * The resource a PATCH or DELETE entry's URL names, as {@code Type/id}: HAPI stores a
	 * patched or deleted resource under the transaction's own request, so the resource is
	 * the one thing that ties it to its entry. A conditional URL names no resource here.
	 */
	private static String target(String url) {
		String path = url.startsWith("/") ? url.substring(1) : url;
		int history = path.indexOf("/_history");
		return (history >= 0) ? path.substring(0, history) : path;
	}

	private static final class Names {

		private final Map<IBaseResource, String> byResource = new IdentityHashMap<>();

		private final Map<String, String> byTarget = new HashMap<>();

	}

}
