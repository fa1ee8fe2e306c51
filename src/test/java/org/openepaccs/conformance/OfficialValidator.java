package org.openepaccs.conformance;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fhir.ucum.UcumEssenceService;
import org.hl7.fhir.r5.context.SimpleWorkerContext;
import org.hl7.fhir.r5.elementmodel.Manager.FhirFormat;
import org.hl7.fhir.r5.model.PackageInformation;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.utilities.ByteProvider;
import org.hl7.fhir.utilities.npm.NpmPackage;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.utilities.validation.ValidationMessage.IssueSeverity;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.ValidatorUtils;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.validation.service.model.InstanceValidatorParameters;

/**
 * The official HL7 validator engine ({@code org.hl7.fhir.validation}, which the HL7
 * validator CLI wraps) with the CLI's default settings, run offline: the R4 core
 * definitions come from HAPI's bundled copy of the specification, our package from the
 * tarball the build wrote, and there is no terminology server, so SNOMED CT is checked
 * only against our own enumerated value sets. Not HAPI's validator: HAPI's wraps the same
 * engine behind its own worker context and validation support chain, which is what the
 * server uses, so this gives the second, independent opinion a vendor's validator would.
 */
final class OfficialValidator {

	static final Path TARBALL = Path.of("target", "org.openepaccs.peolc.tgz");

	private static final String R4 = "4.0.1";

	/** The R4 specification's definitions as HAPI bundles them. */
	private static final List<String> CORE_DEFINITIONS = List.of("org/hl7/fhir/r4/model/profile/profiles-types.xml",
			"org/hl7/fhir/r4/model/profile/profiles-resources.xml", "org/hl7/fhir/r4/model/profile/profiles-others.xml",
			"org/hl7/fhir/r4/model/extension/extension-definitions.xml", "org/hl7/fhir/r4/model/valueset/valuesets.xml",
			"org/hl7/fhir/r4/model/valueset/v2-tables.xml", "org/hl7/fhir/r4/model/valueset/v3-codesystems.xml");

	/**
	 * MIME types (BCP 13) are an open set that only a terminology server checks; the
	 * server's own validation checks them (HAPI knows the common ones).
	 */
	private static final String MIME_TYPES = "http://hl7.org/fhir/ValueSet/mimetypes";

	/** When R4 4.0.1 was published. */
	private static final Date RELEASED = Date.from(Instant.parse("2019-10-30T00:00:00Z"));

	private static final String VALUE_SETS = "valuesets.xml";

	private final SimpleWorkerContext context;

	private OfficialValidator(SimpleWorkerContext context) {
		this.context = context;
	}

	/** The engine with R4 core and the package the build wrote. */
	static OfficialValidator withPackage(Path tarball) {
		try {
			Map<String, ByteProvider> core = new LinkedHashMap<>();
			core.put("version.info",
					ByteProvider.forBytes(("[FHIR]\nversion=" + R4 + "\n").getBytes(StandardCharsets.UTF_8)));
			ClassLoader classLoader = OfficialValidator.class.getClassLoader();
			for (String definitions : CORE_DEFINITIONS) {
				try (InputStream in = classLoader.getResourceAsStream(definitions)) {
					if (in == null) {
						throw new IllegalStateException(
								"R4 core definitions missing from the classpath: " + definitions);
					}
					core.put(Path.of(definitions).getFileName().toString(), ByteProvider.forBytes(in.readAllBytes()));
				}
			}
			// the worker context adds its own SPDX licence CodeSystem when built, and the
			// R4
			// value sets hold the same one: those come after, where a duplicate is
			// allowed
			byte[] valueSets = core.remove(VALUE_SETS).getBytes();
			SimpleWorkerContext context = new SimpleWorkerContext.SimpleWorkerContextBuilder().withDefaultParams()
				.fromDefinitions(core, ValidatorUtils.loaderForVersion(R4), null);
			context.setAllowLoadingDuplicates(true);
			context.loadFromFile(new ByteArrayInputStream(valueSets), VALUE_SETS, ValidatorUtils.loaderForVersion(R4));
			PackageInformation r4Core = new PackageInformation("hl7.fhir.r4.core", R4, R4, RELEASED);
			// the definitions came from hl7.fhir.r4.core, which the loader from XML does
			// not record, and which says that their types are FHIR's own
			for (StructureDefinition definition : context.fetchResourcesByType(StructureDefinition.class)) {
				if (!definition.hasSourcePackage()) {
					definition.setSourcePackage(r4Core);
				}
			}
			context.setCanNoTS(true);
			context.setCanRunWithoutTerminology(true);
			context.setNoTerminologyServer(true);
			try (InputStream ucum = classLoader.getResourceAsStream("ucum-essence.xml")) {
				context.setUcumService(new UcumEssenceService(ucum));
			}
			try (InputStream in = Files.newInputStream(tarball)) {
				context.loadFromPackage(NpmPackage.fromPackage(in, tarball.toString()),
						ValidatorUtils.loaderForVersion(R4));
			}
			return new OfficialValidator(context);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot start the official validator offline: " + ex.getMessage(), ex);
		}
	}

	/** Every message of at least error severity for a JSON resource. */
	List<ValidationMessage> errors(String json) {
		ValidatorSession session = new ValidatorSession();
		// an extension's context is checked in every FHIR version it may be used in,
		// which for an R4 extension is R4 itself: this context, not a package download
		session.getOtherVersions().put("4.0", this.context);
		InstanceValidator validator = new InstanceValidator(this.context, null, null, session, new ValidatorSettings());
		validator.initializeFromParameters(new InstanceValidatorParameters());
		OfflineFetcher offline = new OfflineFetcher(this.context);
		validator.setFetcher(offline);
		validator.setPolicyAdvisor(offline);
		List<ValidationMessage> messages = new ArrayList<>();
		validator.validate(null, messages, new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
				FhirFormat.JSON);
		return messages.stream()
			.filter((message) -> message.getLevel().isError())
			.filter((message) -> !message.getMessage().contains(MIME_TYPES))
			.toList();
	}

	/** Every message, for a report. */
	static String describe(List<ValidationMessage> messages) {
		StringBuilder out = new StringBuilder();
		for (ValidationMessage message : messages) {
			out.append("\n  ")
				.append(message.getLevel() == IssueSeverity.FATAL ? "FATAL" : message.getLevel().toCode())
				.append(" @ ")
				.append(message.getLocation())
				.append(": ")
				.append(message.getMessage());
		}
		return out.toString();
	}

}
