package org.openepaccs.http;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.DecimalType;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The decimal limits ({@code max-decimal-digits}, {@code max-decimal-exponent}) checked
 * on every decimal about to be stored, whatever brought it: an XML body (whose values the
 * body check cannot tell from identifiers made of digits), a transaction entry or a
 * patch. The JSON body check refuses most of them earlier, before parsing.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Component
@Interceptor
class StoredDecimalLimits implements FhirStorageInterceptor {

	private final ContentLimits limits;

	private final FhirTerser terser;

	StoredDecimalLimits(HttpProperties properties, FhirContext fhirContext) {
		this.limits = new ContentLimits(properties.limits());
		this.terser = fhirContext.newTerser();
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = 100)
	public void created(IBaseResource resource) {
		check(resource);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = 100)
	public void updated(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		check(resource);
	}

	private void check(IBaseResource resource) {
		for (DecimalType decimal : this.terser.getAllPopulatedChildElementsOfType(resource, DecimalType.class)) {
			String literal = decimal.getValueAsString();
			String problem = (literal != null) ? this.limits.checkDecimal(literal.trim()) : null;
			if (problem != null) {
				throw new InvalidRequestException("A decimal in this " + resource.fhirType() + " " + problem + " ("
						+ HttpProperties.Limits.PREFIX + "max-decimal-digits, max-decimal-exponent)");
			}
		}
	}

}
