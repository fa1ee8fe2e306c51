package org.openepaccs.conformance;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.IValidationContext;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r5.elementmodel.JsonParser;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.elementmodel.ParserBase.ValidationPolicy;
import org.hl7.fhir.r5.elementmodel.ValidatedFragment;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.openepaccs.common.WorkDeadline;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.codesystem.CodingsObserver;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FHIR instance validator with the same settings as HAPI's
 * {@link FhirInstanceValidator}, but reusing the core library's {@link InstanceValidator}
 * objects instead of building one per resource.
 * <p>
 * Why: building an InstanceValidator reads the core library's OID table from a CSV file
 * every time, which was more than half of the cost of validating one resource here
 * (profiled with JFR on HAPI 8.8.0 / core 6.7.9). An InstanceValidator is not
 * thread-safe, so each one is used by one thread at a time. It keeps every code it saw,
 * with the parsed resource around it (a hundred kilobytes or so per resource), for a
 * check of IPS codes we do not make: that list is emptied after each validation, and a
 * validator is retired after {@link #MAX_USES_FORGETTING} validations ({@link #MAX_USES}
 * where the list cannot be emptied). Each validator also keeps its own JSON parser, whose
 * construction was a twentieth of the cost of a validation. Reuse was checked to give
 * exactly the messages a fresh validator gives, over thousands of validations of our
 * valid and invalid examples in random order ({@code PooledInstanceValidatorTest}).
 */
final class PooledInstanceValidator extends FhirInstanceValidator {

	/** Where the validator's list of codes seen cannot be emptied. */
	static final int MAX_USES = 50;

	/**
	 * Where it can: what each validator still keeps (the canonical lookups it made, the
	 * deprecation warnings it gave) is small and bounded by the package.
	 */
	static final int MAX_USES_FORGETTING = 2_000;

	private static final Logger log = LoggerFactory.getLogger(PooledInstanceValidator.class);

	private static final Field[] CODINGS_SEEN = codingsSeen();

	private static final int MAX_IDLE = 8;

	private final ConcurrentLinkedDeque<Lease> idle = new ConcurrentLinkedDeque<>();

	PooledInstanceValidator(IValidationSupport validationSupport) {
		super(validationSupport);
	}

	@Override
	protected List<ValidationMessage> validate(IValidationContext<?> context) {
		List<StructureDefinition> profiles = new ArrayList<>();
		List<ValidationMessage> messages = new ArrayList<>();
		List<ValidationMessage> unknownDeclared = new ArrayList<>();
		for (String url : context.getOptions().getProfiles()) {
			StructureDefinition profile = provideWorkerContext().fetchResource(StructureDefinition.class, url);
			if (profile == null) {
				return List.of(unknownProfile(typeOf(context), url,
						"this server does not hold the profile it was asked to check",
						ValidationMessage.IssueSeverity.ERROR));
			}
			profiles.add(profile);
		}
		for (String url : declaredProfiles(context)) {
			StructureDefinition profile = provideWorkerContext().fetchResource(StructureDefinition.class, url);
			if (profile != null) {
				if (!context.getOptions().getProfiles().contains(url)) {
					profiles.add(profile);
				}
			}
			else if (ConformancePackage.isOurs(url)) {
				// a misspelt or retired profile of ours must not stand in for the one the
				// resource's meaning calls for
				return List.of(unknownProfile(
						typeOf(context), url, "this server's package has no such profile ("
								+ ConformancePackage.CANONICAL_BASE + "/StructureDefinition/...)",
						ValidationMessage.IssueSeverity.ERROR));
			}
			else {
				unknownDeclared.add(unknownProfile(typeOf(context), url,
						"this server does not hold it, so the resource was checked against "
								+ "base FHIR R4 and any EPaCCS profile that applies, not against this profile",
						ValidationMessage.IssueSeverity.WARNING));
			}
		}
		Manager.FhirFormat format = (context.getResourceAsStringEncoding() == EncodingEnum.XML) ? Manager.FhirFormat.XML
				: Manager.FhirFormat.JSON;
		byte[] content = context.getResourceAsString().getBytes(StandardCharsets.UTF_8);
		Lease lease = borrow();
		try {
			if (format == Manager.FhirFormat.JSON) {
				lease.validateJson(content, profiles, messages);
			}
			else {
				lease.validator.validate(null, messages, new ByteArrayInputStream(content), format, profiles);
			}
		}
		catch (IOException ex) {
			throw new FHIRException(ex);
		}
		finally {
			giveBack(lease);
		}
		// the validator turns some failures inside it into messages: a stop it swallowed
		// still stops the request
		WorkDeadline.check();
		// the core validator's own complaint about a declared profile it cannot find is
		// the warning above, in our words
		messages.removeIf((message) -> isNoise(message) || isUnknownProfile(message.getMessageId()));
		messages.addAll(0, unknownDeclared);
		return messages;
	}

	/**
	 * The messages HAPI's own wrapper drops: complaints about bindings without a value
	 * set and about the mime-type value set, which R4 core leaves unresolvable.
	 */
	private static boolean isNoise(ValidationMessage message) {
		String id = message.getMessageId();
		return I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE.equals(id)
				|| (I18nConstants.TERMINOLOGY_TX_VALUESET_NOTFOUND.equals(id)
						&& message.getMessage().contains("http://hl7.org/fhir/ValueSet/mimetypes"));
	}

	private static Set<String> declaredProfiles(IValidationContext<?> context) {
		Set<String> urls = new LinkedHashSet<>();
		if (context.getResource() instanceof IBaseResource resource) {
			for (IPrimitiveType<String> profile : resource.getMeta().getProfile()) {
				urls.add(profile.getValue());
			}
		}
		return urls;
	}

	private static String typeOf(IValidationContext<?> context) {
		return (context.getResource() instanceof IBaseResource resource) ? resource.fhirType() : "Resource";
	}

	private static boolean isUnknownProfile(String messageId) {
		return I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN.equals(messageId)
				|| I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY.equals(messageId);
	}

	private static ValidationMessage unknownProfile(String type, String url, String consequence,
			ValidationMessage.IssueSeverity severity) {
		ValidationMessage message = new ValidationMessage();
		message.setMessageId(I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN);
		message.setLevel(severity);
		message.setType(ValidationMessage.IssueType.NOTSUPPORTED);
		message.setLocation(type + ".meta.profile");
		message.setMessage("Unknown profile " + url + ": " + consequence);
		return message;
	}

	private Lease borrow() {
		Lease lease = this.idle.pollFirst();
		return (lease != null) ? lease : new Lease(newInstanceValidator());
	}

	private void giveBack(Lease lease) {
		lease.uses++;
		boolean forgot = lease.forgetCodingsSeen();
		if (lease.uses < (forgot ? MAX_USES_FORGETTING : MAX_USES) && this.idle.size() < MAX_IDLE) {
			this.idle.offerFirst(lease);
		}
	}

	private InstanceValidator newInstanceValidator() {
		WorkerContextValidationSupportAdapter workerContext = provideWorkerContext();
		InstanceValidator validator = new InstanceValidator(workerContext, new NullEvaluationContext(),
				new XVerExtensionManagerOld(workerContext), new ValidatorSession(), new ValidatorSettings());
		// the same settings as HAPI's own wrapper applies to each new validator
		validator.setAssumeValidRestReferences(isAssumeValidRestReferences());
		validator.setBestPracticeWarningLevel(getBestPracticeWarningLevel());
		validator.setAnyExtensionsAllowed(isAnyExtensionsAllowed());
		validator.setResourceIdRule(IdStatus.OPTIONAL);
		validator.setNoTerminologyChecks(isNoTerminologyChecks());
		validator.setErrorForUnknownProfiles(isErrorForUnknownProfiles());
		validator.setUnknownCodeSystemsCauseErrors(true);
		validator.getExtensionDomains().addAll(getExtensionDomains());
		validator.setFetcher(getValidatorResourceFetcher());
		validator.setPolicyAdvisor(new DeadlinePolicyAdvisor(getValidatorPolicyAdvisor()));
		validator.setNoExtensibleWarnings(isNoExtensibleWarnings());
		validator.setNoBindingMsgSuppressed(isNoBindingMsgSuppressed());
		validator.setAllowExamples(isAllowExamples());
		validator.setAllowXsiLocation(true);
		return validator;
	}

	/**
	 * The field of the core validator that holds its coding observer, and the observer's
	 * list of codes seen; null where this version of the core library has neither.
	 */
	private static Field[] codingsSeen() {
		try {
			Field observer = InstanceValidator.class.getDeclaredField("codingObserver");
			Field list = CodingsObserver.class.getDeclaredField("list");
			if (!List.class.isAssignableFrom(list.getType())) {
				throw new NoSuchFieldException("CodingsObserver.list is not a list");
			}
			observer.setAccessible(true);
			list.setAccessible(true);
			return new Field[] { observer, list };
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			log.warn("The validator's list of codes seen cannot be emptied in this core library version ({}): "
					+ "each validator is retired after {} validations instead", ex.toString(), MAX_USES);
			return null;
		}
	}

	private final class Lease {

		private final InstanceValidator validator;

		/** Built once per validator: a new one builds a FHIRPath engine each time. */
		private final JsonParser parser;

		private int uses;

		private Lease(InstanceValidator validator) {
			this.validator = validator;
			this.parser = new JsonParser(provideWorkerContext());
			this.parser.setupValidation(ValidationPolicy.EVERYTHING);
		}

		/**
		 * What
		 * {@link InstanceValidator#validate(Object, List, java.io.InputStream, Manager.FhirFormat, List)}
		 * does for JSON, with this lease's parser.
		 */
		void validateJson(byte[] content, List<StructureDefinition> profiles, List<ValidationMessage> messages)
				throws IOException {
			for (ValidatedFragment fragment : this.parser.parse(new ByteArrayInputStream(content))) {
				if (fragment.getElement() != null) {
					this.validator.validate(null, fragment.getErrors(), null, fragment.getElement(), profiles);
				}
				messages.addAll(fragment.getErrors());
			}
		}

		/**
		 * Empties the codes the validator's coding observer keeps from every validation
		 * (with the path to each, so the whole parsed resource): read only for an IPS
		 * check we do not make, and what made a reused validator grow.
		 */
		boolean forgetCodingsSeen() {
			if (CODINGS_SEEN == null) {
				return false;
			}
			try {
				((List<?>) CODINGS_SEEN[1].get(CODINGS_SEEN[0].get(this.validator))).clear();
				return true;
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				return false;
			}
		}

	}

}
