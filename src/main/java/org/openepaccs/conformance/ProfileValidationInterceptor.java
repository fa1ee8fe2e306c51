package org.openepaccs.conformance;

import org.openepaccs.common.LabelOnlyChanges;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Bundle;
import org.openepaccs.server.FhirStorageInterceptor;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
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

	private static final String PREVALIDATED = ProfileValidationInterceptor.class.getName() + ".prevalidated";

	/** One thread per core: validation is CPU work. */
	private final ExecutorService validators = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
			new CustomizableThreadFactory("validation-"));

	ProfileValidationInterceptor(FhirContext fhirContext, ConformancePackage conformancePackage,
			ValidationProperties properties) {
		this.fhirContext = fhirContext;
		this.validator = fhirContext.newValidator();
		this.validator.registerValidatorModule(new PooledInstanceValidator(conformancePackage.validationSupport()));
		this.defaultProfiles = new DefaultProfiles(conformancePackage, properties);
		this.enabled = properties.enabled();
	}

	/**
	 * A transaction's entries are validated side by side on the spare cores before HAPI
	 * stores them one after the other; each entry's storage hook then uses its result.
	 * Validation does not look at where references point, so the references HAPI rewrites
	 * in between do not change it (their targets are checked by referential integrity).
	 */
	@Hook(Pointcut.STORAGE_TRANSACTION_PROCESSING)
	public void transactionStarting(IBaseBundle transaction, RequestDetails request) {
		if (!this.enabled || request == null || !(transaction instanceof Bundle bundle)) {
			return;
		}
		Map<IBaseResource, ValidationResult> results = Collections.synchronizedMap(new IdentityHashMap<>());
		List<Callable<Void>> tasks = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			IBaseResource resource = entry.getResource();
			ValidationOptions options = (resource != null) ? options(resource) : null;
			if (options != null) {
				tasks.add(() -> {
					results.put(resource, this.validator.validateWithResult(resource, options));
					return null;
				});
			}
		}
		if (tasks.size() < 2) {
			return;
		}
		try {
			this.validators.invokeAll(tasks);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return; // each entry is validated in its own storage hook instead
		}
		request.getUserData().put(PREVALIDATED, results);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = 200)
	public void created(IBaseResource resource, RequestDetails request) {
		check(resource, request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = 200)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		check(resource, request);
	}

	void check(IBaseResource resource, RequestDetails request) {
		// the server's own writes (register alerts, closing a register entry at death)
		// are built from our package's codes and checked by tests with $validate;
		// validating them again on every write was a tenth of the cost of a load
		if (!this.enabled || request instanceof SystemRequestDetails) {
			return;
		}
		ValidationResult result = prevalidated(resource, request);
		if (result == null) {
			ValidationOptions options = options(resource);
			if (options == null) {
				return;
			}
			result = this.validator.validateWithResult(resource, options);
		}
		boolean failed = result.getMessages()
			.stream()
			.anyMatch((message) -> message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal());
		if (failed) {
			throw new UnprocessableEntityException(this.fhirContext, result.toOperationOutcome());
		}
	}

	@SuppressWarnings("unchecked")
	private static ValidationResult prevalidated(IBaseResource resource, RequestDetails request) {
		if (request == null) {
			return null;
		}
		Object results = request.getUserData().get(PREVALIDATED);
		return (results instanceof Map<?, ?> map) ? ((Map<IBaseResource, ValidationResult>) map).get(resource) : null;
	}

	/**
	 * What to validate the resource against, or null when none of our profiles applies.
	 */
	private ValidationOptions options(IBaseResource resource) {
		ValidationOptions options = new ValidationOptions();
		if (!declaresOurProfile(resource)) {
			Optional<String> profile = this.defaultProfiles.profileFor(resource);
			if (profile.isEmpty()) {
				return null;
			}
			options.addProfile(profile.get());
		}
		return options;
	}

	@PreDestroy
	void stop() {
		this.validators.shutdownNow();
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
