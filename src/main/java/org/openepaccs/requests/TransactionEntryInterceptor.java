package org.openepaccs.requests;

import java.util.List;
import java.util.Map;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.util.UrlUtil;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.BundleEntryRequestComponent;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;

/**
 * Gives the entries of a transaction or batch the checks a request of their own gets from
 * {@link SearchValueInterceptor}, {@link PatchRequestInterceptor} and
 * {@link ConditionalRequestInterceptor} (ETags): HAPI processes them without the
 * REST-level hooks, so a bad search value in an entry's URL or {@code ifNoneExist}, or a
 * malformed patch, answered 500. The whole Bundle is refused with 400 naming the entry,
 * before any entry is processed.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class TransactionEntryInterceptor implements FhirStorageInterceptor {

	private final SearchValueInterceptor searchValues;

	private final PatchRequestInterceptor patches;

	TransactionEntryInterceptor(SearchValueInterceptor searchValues, PatchRequestInterceptor patches) {
		this.searchValues = searchValues;
		this.patches = patches;
	}

	// before the record rules and profile validation read the entries
	@Hook(value = Pointcut.STORAGE_TRANSACTION_PROCESSING, order = -10)
	public void checkEntries(IBaseBundle bundle) {
		if (!(bundle instanceof Bundle r4)
				|| (r4.getType() != Bundle.BundleType.TRANSACTION && r4.getType() != Bundle.BundleType.BATCH)) {
			return;
		}
		List<BundleEntryComponent> entries = r4.getEntry();
		for (int i = 0; i < entries.size(); i++) {
			try {
				checkEntry(entries.get(i));
			}
			catch (InvalidRequestException ex) {
				throw new InvalidRequestException("Bundle.entry[" + i + "]: " + ex.getMessage());
			}
		}
	}

	private void checkEntry(BundleEntryComponent entry) {
		// FHIR gives every entry of a transaction or batch a request with a method and a
		// url (bdl-3, and their 1..1): HAPI creates a resource from an entry without a
		// url
		if (!entry.hasRequest() || entry.getRequest().getMethod() == null
				|| entry.getRequest().getMethod() == HTTPVerb.NULL || !entry.getRequest().hasUrl()) {
			throw new InvalidRequestException("an entry of a transaction or batch needs request.method and "
					+ "request.url, such as {\"method\":\"POST\",\"url\":\"Patient\"}");
		}
		BundleEntryRequestComponent request = entry.getRequest();
		String url = request.getUrl();
		if (url != null && url.indexOf('?') >= 0) {
			Map<String, String[]> criteria = query(url);
			if (criteria.isEmpty() && request.getMethod() != HTTPVerb.GET && request.getMethod() != HTTPVerb.HEAD) {
				// HAPI reads a conditional DELETE, PUT or PATCH with no criteria as
				// "every
				// resource of the type": a whole register deleted by one entry
				throw new InvalidRequestException("request.url " + url + ": a conditional "
						+ request.getMethod().toCode() + " needs at least one search criterion");
			}
			this.searchValues.checkParameters(resourceType(url.substring(0, url.indexOf('?'))), criteria);
		}
		String ifNoneExist = request.getIfNoneExist();
		if (ifNoneExist != null) {
			String type = (entry.getResource() != null) ? entry.getResource().fhirType() : resourceType(url);
			this.searchValues.checkParameters(type, query(ifNoneExist));
		}
		ConditionalRequestInterceptor.version("request.ifMatch", request.getIfMatch(), false);
		ConditionalRequestInterceptor.version("request.ifNoneMatch", request.getIfNoneMatch(), true);
		if (request.getMethod() == HTTPVerb.PATCH) {
			if (entry.getResource() instanceof Parameters parameters) {
				this.patches.checkFhirPatch(parameters);
			}
			else if (entry.getResource() instanceof Binary binary && binary.getContentType() != null
					&& binary.getContentType().contains("json-patch") && binary.getContent() != null) {
				this.patches.checkJsonPatch(binary.getContent());
			}
		}
	}

	/** The query of a URL or of a bare query such as {@code identifier=...}. */
	private static Map<String, String[]> query(String urlOrQuery) {
		try {
			return UrlUtil.parseQueryString(urlOrQuery.substring(urlOrQuery.indexOf('?') + 1));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidRequestException("request.url: the query is not valid percent-encoding (a % must be "
					+ "followed by two hexadecimal digits)");
		}
	}

	/** The resource type an entry URL's path starts with, or null at system level. */
	private static String resourceType(String path) {
		if (path == null) {
			return null;
		}
		String relative = path.startsWith("/") ? path.substring(1) : path;
		String type = relative.contains("/") ? relative.substring(0, relative.indexOf('/')) : relative;
		type = type.contains("?") ? type.substring(0, type.indexOf('?')) : type;
		return type.isEmpty() ? null : type;
	}

}
