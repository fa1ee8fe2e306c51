package org.openepaccs.requests;

import java.util.List;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.util.IModelVisitor2;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseExtension;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.http.HttpProperties;

import org.springframework.core.annotation.Order;

/**
 * Holds the result of a PATCH to the element and extension limits a body is held to as it
 * is read ({@code epaccs.http.limits.max-elements-per-resource},
 * {@code max-extensions-per-resource}): a small patch can add a thousand extensions in
 * one {@code add}, and the resource it makes is what the validator then works through. A
 * transaction's entries are counted too, since its PATCH entries are stored under the
 * transaction's own request.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class PatchedResourceCounts implements FhirStorageInterceptor {

	private final FhirContext fhirContext;

	private final HttpProperties.Limits limits;

	PatchedResourceCounts(FhirContext fhirContext, HttpProperties.Limits limits) {
		this.fhirContext = fhirContext;
		this.limits = limits;
	}

	// before the record rules and profile validation read the resource
	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = -5)
	public void updating(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (request == null || request instanceof SystemRequestDetails
				|| (request.getRestOperationType() != RestOperationTypeEnum.PATCH
						&& request.getRestOperationType() != RestOperationTypeEnum.TRANSACTION)) {
			return;
		}
		long[] counts = new long[2];
		this.fhirContext.newTerser().visit(resource, new IModelVisitor2() {

			@Override
			public boolean acceptElement(IBase element, List<IBase> containingElementPath,
					List<BaseRuntimeChildDefinition> childDefinitionPath,
					List<BaseRuntimeElementDefinition<?>> elementDefinitionPath) {
				counts[0]++;
				if (element instanceof IBaseExtension) {
					counts[1]++;
				}
				return true;
			}

			@Override
			public boolean acceptUndeclaredExtension(IBaseExtension<?, ?> extension, List<IBase> containingElementPath,
					List<BaseRuntimeChildDefinition> childDefinitionPath,
					List<BaseRuntimeElementDefinition<?>> elementDefinitionPath) {
				counts[0]++;
				counts[1]++;
				return true;
			}

		});
		if (counts[1] > this.limits.maxExtensionsPerResource()) {
			throw new InvalidRequestException("The patched " + resource.fhirType() + " would have " + counts[1]
					+ " extensions; this server accepts at most " + HttpProperties.Limits
						.describe("max-extensions-per-resource", this.limits.maxExtensionsPerResource()));
		}
		if (counts[0] > this.limits.maxElementsPerResource()) {
			throw new InvalidRequestException("The patched " + resource.fhirType() + " would have " + counts[0]
					+ " elements; this server accepts at most " + HttpProperties.Limits
						.describe("max-elements-per-resource", this.limits.maxElementsPerResource()));
		}
	}

}
