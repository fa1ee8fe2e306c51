package org.openepaccs.conformance;

import java.util.Optional;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.openepaccs.server.FhirStorageInterceptor;

import org.springframework.stereotype.Component;

/**
 * Validates every write against our profiles, offline, with the package's cached
 * validation support: against the profiles the resource declares in {@code meta.profile},
 * or, when it declares none of ours, against the default profile for its type or code
 * ({@link DefaultProfiles}). Errors refuse the write with 422 and an OperationOutcome
 * whose issues carry the FHIRPath location; warnings do not block.
 */
@Component
@Interceptor
class ProfileValidationInterceptor implements FhirStorageInterceptor {

	private final FhirContext fhirContext;

	private final FhirValidator validator;

	private final DefaultProfiles defaultProfiles;

	private final boolean enabled;

	ProfileValidationInterceptor(FhirContext fhirContext, ConformancePackage conformancePackage,
			ValidationProperties properties) {
		this.fhirContext = fhirContext;
		this.validator = fhirContext.newValidator();
		this.validator.registerValidatorModule(new PooledInstanceValidator(conformancePackage.validationSupport()));
		this.defaultProfiles = new DefaultProfiles(conformancePackage, properties);
		this.enabled = properties.enabled();
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
		if (!this.enabled) {
			return;
		}
		ValidationOptions options = new ValidationOptions();
		if (!declaresOurProfile(resource)) {
			Optional<String> profile = this.defaultProfiles.profileFor(resource);
			if (profile.isEmpty()) {
				return;
			}
			options.addProfile(profile.get());
		}
		ValidationResult result = this.validator.validateWithResult(resource, options);
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
