package org.openepaccs.records;

import org.openepaccs.common.NhsNumber;
import java.util.List;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Refuses, on every write (REST, transaction entry or our own services), an identifier
 * with the NHS number system whose value breaks the Modulus 11 rule, with 422 naming
 * where it is and what is wrong. A wrong NHS number links a dying person's plan to
 * someone else.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class NhsNumberInterceptor implements FhirStorageInterceptor {

	private final FhirContext fhirContext;

	NhsNumberInterceptor(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
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

	void check(IBaseResource resource) {
		OperationOutcome outcome = new OperationOutcome();
		walk(resource, resource.fhirType(), outcome, 0);
		if (outcome.hasIssue()) {
			throw new UnprocessableEntityException(this.fhirContext, outcome);
		}
	}

	private void walk(IBase element, String path, OperationOutcome outcome, int depth) {
		if (element instanceof Identifier identifier && NhsNumber.SYSTEM.equals(identifier.getSystem())) {
			String problem = NhsNumber.problem(identifier.getValue());
			if (problem != null) {
				outcome.addIssue()
					.setSeverity(IssueSeverity.ERROR)
					.setCode(IssueType.VALUE)
					.setDiagnostics(path + ": '" + identifier.getValue() + "' is not a valid NHS number: " + problem)
					.addExpression(path + ".value");
			}
			return;
		}
		BaseRuntimeElementDefinition<?> definition = this.fhirContext.getElementDefinition(element.getClass());
		if (depth > 100 || !(definition instanceof BaseRuntimeElementCompositeDefinition<?> composite)) {
			return;
		}
		for (BaseRuntimeChildDefinition child : composite.getChildren()) {
			List<IBase> values = child.getAccessor().getValues(element);
			for (int i = 0; i < values.size(); i++) {
				IBase value = values.get(i);
				String childPath = path + "." + child.getElementName() + ((child.getMax() != 1) ? "[" + i + "]" : "");
				walk(value, childPath, outcome, depth + 1);
			}
		}
	}

}
