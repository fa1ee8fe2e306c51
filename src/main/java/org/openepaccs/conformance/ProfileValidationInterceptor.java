package org.openepaccs.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationResult;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.openepaccs.server.FhirStorageInterceptor;

import org.springframework.stereotype.Component;

/**
 * Validates, on every write, a resource that declares one of our profiles in
 * {@code meta.profile} against it, offline, with the package's cached validation support.
 * Errors refuse the write with 422 and an OperationOutcome whose issues carry the
 * FHIRPath location; warnings do not block.
 */
@Component
@Interceptor
class ProfileValidationInterceptor implements FhirStorageInterceptor {

	private final FhirContext fhirContext;

	private final FhirValidator validator;

	ProfileValidationInterceptor(FhirContext fhirContext, ConformancePackage conformancePackage) {
		this.fhirContext = fhirContext;
		this.validator = fhirContext.newValidator();
		this.validator.registerValidatorModule(new FhirInstanceValidator(conformancePackage.validationSupport()));
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = 200)
	public void created(IBaseResource resource) {
		check(resource);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = 200)
	public void updated(IBaseResource previous, IBaseResource resource) {
		check(resource);
	}

	void check(IBaseResource resource) {
		if (!declaresOurProfile(resource)) {
			return;
		}
		ValidationResult result = this.validator.validateWithResult(resource);
		boolean failed = result.getMessages()
			.stream()
			.anyMatch((message) -> message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal());
		if (failed) {
			throw new UnprocessableEntityException(this.fhirContext, result.toOperationOutcome());
		}
	}

	private static boolean declaresOurProfile(IBaseResource resource) {
		for (IPrimitiveType<String> profile : resource.getMeta().getProfile()) {
			if (ConformancePackage.isOurs(profile.getValue())) {
				return true;
			}
		}
		return false;
	}

}
