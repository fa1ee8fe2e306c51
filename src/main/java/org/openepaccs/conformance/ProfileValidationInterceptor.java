package org.openepaccs.conformance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.ResourceUtil;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import jakarta.annotation.PreDestroy;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.common.WorkDeadline;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Validates every client write, offline, with the package's cached validation support:
 * against base FHIR R4 always, and against the profiles of ours the resource declares in
 * {@code meta.profile} or, when it declares none of ours, the one its meaning calls for
 * ({@link DefaultProfiles}). A declared profile this server does not hold (a GP system's
 * UK Core profile) is a warning for the writer, not a refusal. Errors refuse the write
 * with 422; each issue names its FHIRPath location, the profile it was checked against
 * and why that profile applied. A transaction is checked whole before anything is stored,
 * and its refusal lists every failing entry with its index and fullUrl.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class ProfileValidationInterceptor implements FhirStorageInterceptor {

	private final FhirContext fhirContext;

	private final FhirValidator validator;

	private final DefaultProfiles defaultProfiles;

	private final boolean enabled;

	private static final String PREVALIDATED = ProfileValidationInterceptor.class.getName() + ".prevalidated";

	private static final String WARNED = ProfileValidationInterceptor.class.getName() + ".warned";

	private static final String IN_BATCH = ProfileValidationInterceptor.class.getName() + ".inBatch";

	/** One thread per core: validation is CPU work. */
	private final ExecutorService validators = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
			new CustomizableThreadFactory("validation-"));

	ProfileValidationInterceptor(FhirContext fhirContext, ConformancePackage conformancePackage,
			ValidationProperties properties) {
		this.fhirContext = fhirContext;
		this.validator = fhirContext.newValidator();
		this.validator.registerValidatorModule(new PooledInstanceValidator(conformancePackage.validationSupport()));
		this.defaultProfiles = new DefaultProfiles(conformancePackage);
		this.enabled = properties.enabled();
	}

	/**
	 * A transaction's entries are validated side by side on the spare cores before HAPI
	 * stores any of them; a transaction with invalid entries is refused here, naming
	 * every one. Each entry's storage hook then uses its result (a batch's entries are
	 * refused one by one there, each in its own answer). Validation does not look at
	 * where references point, so the references HAPI rewrites in between do not change it
	 * (their targets are checked by referential integrity). It runs after the checks of
	 * the entries' requests, so that a malformed request is told (400) before its
	 * content.
	 */
	@Hook(value = Pointcut.STORAGE_TRANSACTION_PROCESSING, order = 100)
	public void transactionStarting(IBaseBundle transaction, RequestDetails request) {
		if (!this.enabled || request == null || request instanceof SystemRequestDetails
				|| !(transaction instanceof Bundle bundle) || request.getUserData().get(IN_BATCH) != null) {
			return;
		}
		Map<IBaseResource, Outcome> outcomes = Collections.synchronizedMap(new IdentityHashMap<>());
		List<Callable<Void>> tasks = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			IBaseResource resource = entry.getResource();
			if (resource != null && isWrite(entry)) {
				tasks.add(WorkDeadline.carry(() -> {
					outcomes.put(resource, validate(resource));
					return null;
				}));
			}
		}
		try {
			this.validators.invokeAll(tasks);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return; // each entry is validated in its own storage hook instead
		}
		request.getUserData().put(PREVALIDATED, outcomes);
		if (bundle.getType() == Bundle.BundleType.BATCH) {
			// HAPI then processes each entry as a transaction of one, through this hook
			// again, which leaves it alone: each entry is refused on its own, in its own
			// answer, by its storage hook
			request.getUserData().put(IN_BATCH, Boolean.TRUE);
		}
		else if (bundle.getType() == Bundle.BundleType.TRANSACTION) {
			refuseInvalidEntries(bundle, outcomes);
		}
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

	/** The warnings of a stored write, once it has its id, for the writer's answer. */
	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void createdStored(IBaseResource resource, RequestDetails request) {
		passOnWarnings(resource, request);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updatedStored(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!LabelOnlyChanges.inProgress()) {
			passOnWarnings(resource, request);
		}
	}

	void check(IBaseResource resource, RequestDetails request) {
		// the server's own writes (register alerts, closing a register entry at death)
		// are built from our package's codes and checked by tests with $validate;
		// validating them again on every write was a tenth of the cost of a load
		if (!this.enabled || request instanceof SystemRequestDetails) {
			return;
		}
		Outcome outcome = (request != null) ? prevalidated(resource, request) : null;
		if (outcome == null) {
			if (!isClientBody(request)) {
				// HAPI's JPA storage keeps the text each resource was parsed from, and
				// its
				// validator checks that text rather than the resource: for a PATCH that
				// is
				// the stored version before the patch, so a patch breaking an invariant
				// was
				// checked as the unbroken original and stored
				ResourceUtil.clearRawStringFromResource(resource);
			}
			outcome = validate(resource);
		}
		if (outcome.failed()) {
			OperationOutcome refusal = new OperationOutcome();
			// HAPI answers a batch entry with only the text of its refusal, so there the
			// location goes into the text too
			boolean batchEntry = request != null && request.getUserData().get(IN_BATCH) != null;
			outcome.errors(resource.fhirType(), resource.fhirType(), "", batchEntry).forEach(refusal::addIssue);
			throw new UnprocessableEntityException(this.fhirContext, refusal);
		}
		List<String> warnings = outcome.warningsToPassOn();
		if (!warnings.isEmpty() && request != null) {
			warned(request).put(resource, warnings);
		}
	}

	private void refuseInvalidEntries(Bundle bundle, Map<IBaseResource, Outcome> outcomes) {
		OperationOutcome refusal = new OperationOutcome();
		int failing = 0;
		for (int index = 0; index < bundle.getEntry().size(); index++) {
			Bundle.BundleEntryComponent entry = bundle.getEntry().get(index);
			Outcome outcome = (entry.getResource() != null) ? outcomes.get(entry.getResource()) : null;
			if (outcome != null && outcome.failed()) {
				failing++;
				String type = entry.getResource().fhirType();
				String context = "Entry " + index + " (" + (entry.hasFullUrl() ? entry.getFullUrl() : "no fullUrl")
						+ ", " + type + "): ";
				outcome.errors(type, "Bundle.entry[" + index + "].resource", context, false).forEach(refusal::addIssue);
			}
		}
		if (failing > 0) {
			refusal.getIssue()
				.add(0, new OperationOutcome.OperationOutcomeIssueComponent().setSeverity(IssueSeverity.ERROR)
					.setCode(IssueType.INVALID)
					.setDiagnostics("The transaction was refused and nothing of it was stored: " + failing + " of its "
							+ bundle.getEntry().size() + " entries " + ((failing == 1) ? "is" : "are")
							+ " not valid; each issue below names the entry, where in it, and the profile it was"
							+ " checked against"));
			throw new UnprocessableEntityException(this.fhirContext, refusal);
		}
	}

	private Outcome validate(IBaseResource resource) {
		ValidationOptions options = new ValidationOptions();
		List<String> against = new ArrayList<>();
		List<String> declared = new ArrayList<>();
		for (IPrimitiveType<String> profile : resource.getMeta().getProfile()) {
			if (ConformancePackage.isOurs(profile.getValue())) {
				declared.add(ConformancePackage.nameOf(profile.getValue()));
			}
		}
		if (!declared.isEmpty()) {
			against.add(String.join(", ", declared) + ", declared in meta.profile");
		}
		// the profile the resource's meaning calls for applies whatever it declares: a
		// declared profile of ours for other content does not exempt it
		Optional<DefaultProfiles.Applied> applied = this.defaultProfiles.profileFor(resource);
		if (applied.isPresent() && !declared.contains(ConformancePackage.nameOf(applied.get().profile()))) {
			options.addProfile(applied.get().profile());
			against.add(applied.get().reason());
		}
		if (against.isEmpty()) {
			against.add("base FHIR R4 " + resource.fhirType() + " only: it declares none of our profiles and no code"
					+ " in it marks it as EPaCCS content");
		}
		return new Outcome(this.validator.validateWithResult(resource, options), String.join("; ", against));
	}

	/**
	 * Whether the resource being stored is the body the client sent, parsed once: a
	 * create or an update. The text HAPI kept from that parse is then what the client
	 * sent, which the validator checks more strictly than the lenient parser read it.
	 */
	private static boolean isClientBody(RequestDetails request) {
		return request != null && (request.getRestOperationType() == RestOperationTypeEnum.CREATE
				|| request.getRestOperationType() == RestOperationTypeEnum.UPDATE);
	}

	private static boolean isWrite(Bundle.BundleEntryComponent entry) {
		Bundle.HTTPVerb method = entry.getRequest().getMethod();
		return method == Bundle.HTTPVerb.POST || method == Bundle.HTTPVerb.PUT;
	}

	@SuppressWarnings("unchecked")
	private static Outcome prevalidated(IBaseResource resource, RequestDetails request) {
		Object outcomes = request.getUserData().get(PREVALIDATED);
		return (outcomes instanceof Map<?, ?> map) ? ((Map<IBaseResource, Outcome>) map).get(resource) : null;
	}

	@SuppressWarnings("unchecked")
	private static Map<IBaseResource, List<String>> warned(RequestDetails request) {
		return (Map<IBaseResource, List<String>>) request.getUserData()
			.computeIfAbsent(WARNED, (key) -> Collections.synchronizedMap(new IdentityHashMap<>()));
	}

	private static void passOnWarnings(IBaseResource resource, RequestDetails request) {
		if (request == null || !(request.getUserData().get(WARNED) instanceof Map<?, ?>)) {
			return;
		}
		List<String> warnings = warned(request).remove(resource);
		if (warnings != null) {
			String id = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			warnings.forEach((text) -> WriteWarnings.add(request, id, IssueType.NOTSUPPORTED, text,
					resource.fhirType() + ".meta.profile"));
		}
	}

	@PreDestroy
	void stop() {
		this.validators.shutdownNow();
	}

	/**
	 * What validating one resource found, and what it was checked against and why.
	 */
	private record Outcome(ValidationResult result, String against) {

		boolean failed() {
			return this.result.getMessages().stream().anyMatch(Outcome::isError);
		}

		/**
		 * The errors as issues whose expression is a FHIRPath from {@code root} (the
		 * resource itself, or its place in a Bundle), without the line and column of a
		 * re-encoded resource, which a sender cannot map back to what it sent.
		 */
		List<OperationOutcome.OperationOutcomeIssueComponent> errors(String type, String root, String context,
				boolean locationInText) {
			List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
			for (SingleValidationMessage message : this.result.getMessages()) {
				if (isError(message)) {
					String where = expression(type, root, message.getLocationString());
					issues.add(new OperationOutcome.OperationOutcomeIssueComponent()
						.setSeverity((message.getSeverity() == ResultSeverityEnum.FATAL) ? IssueSeverity.FATAL
								: IssueSeverity.ERROR)
						.setCode(IssueType.PROCESSING)
						.setDiagnostics(context + (locationInText ? where + ": " : "") + message.getMessage()
								+ " (checked against " + this.against + ")")
						.addExpression(where));
				}
			}
			return issues;
		}

		/** The unknown-profile warnings: the other warnings are advice about style. */
		List<String> warningsToPassOn() {
			return this.result.getMessages()
				.stream()
				.filter((message) -> message.getSeverity() == ResultSeverityEnum.WARNING
						&& I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN.equals(message.getMessageId()))
				.map(SingleValidationMessage::getMessage)
				.toList();
		}

		private static boolean isError(SingleValidationMessage message) {
			return message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal();
		}

		private static String expression(String type, String root, String location) {
			if (location == null || location.isEmpty() || location.equals(type)) {
				return root;
			}
			return location.startsWith(type + ".") ? root + location.substring(type.length()) : location;
		}

	}

}
