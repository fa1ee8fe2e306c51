package org.openepaccs.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The conformance package as built into the application from {@code profiles/}: every
 * conformance resource, parsed once, StructureDefinitions with generated snapshots, and
 * the validation support chain that validates against them entirely offline (SNOMED CT
 * membership is checked against our enumerated value sets; an unknown code system is a
 * warning, never a network call).
 */
public final class ConformancePackage {

	public static final String CANONICAL_BASE = "https://fhir.openepaccs.org";

	static final String CLASSPATH_FOLDER = "fhir-package";

	/** Installed in this order, so that what a resource refers to is there before it. */
	private static final List<String> INSTALL_ORDER = List.of("CodeSystem", "ValueSet", "StructureDefinition",
			"SearchParameter", "OperationDefinition");

	private final String name;

	private final String version;

	private final List<IBaseResource> resources;

	private final ValidationSupportChain validationSupport;

	private ConformancePackage(String name, String version, List<IBaseResource> resources,
			ValidationSupportChain validationSupport) {
		this.name = name;
		this.version = version;
		this.resources = List.copyOf(resources);
		this.validationSupport = validationSupport;
	}

	/** Loads the package from the classpath (as built into the application). */
	public static ConformancePackage fromClasspath(FhirContext fhirContext) {
		PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
		try {
			Resource manifest = resolver.getResource("classpath:" + CLASSPATH_FOLDER + "/package.json");
			if (!manifest.exists()) {
				throw new IllegalStateException("The conformance package is missing from the application: no "
						+ CLASSPATH_FOLDER + "/package.json on the classpath (build it with ./mvnw package)");
			}
			JsonNode npm = new ObjectMapper().readTree(manifest.getInputStream());
			List<IBaseResource> resources = new ArrayList<>();
			for (Resource file : resolver.getResources("classpath:" + CLASSPATH_FOLDER + "/*.json")) {
				if (!"package.json".equals(file.getFilename())) {
					resources.add(parse(fhirContext, file));
				}
			}
			return build(fhirContext, npm.path("name").asText(), npm.path("version").asText(), resources);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read the conformance package: " + ex.getMessage(), ex);
		}
	}

	static ConformancePackage build(FhirContext fhirContext, String name, String version, List<IBaseResource> parsed) {
		List<IBaseResource> ordered = new ArrayList<>(parsed);
		ordered.sort(Comparator.comparingInt(ConformancePackage::installRank)
			.thenComparing((IBaseResource r) -> r.getIdElement().getIdPart()));

		PrePopulatedValidationSupport ours = new PrePopulatedValidationSupport(fhirContext);
		ordered.forEach(ours::addResource);
		UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(
				fhirContext);
		unknownCodeSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
		ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(fhirContext),
				ours, new SnapshotGeneratingValidationSupport(fhirContext),
				new InMemoryTerminologyServerValidationSupport(fhirContext),
				new CommonCodeSystemsTerminologyService(fhirContext), unknownCodeSystems);

		List<IBaseResource> withSnapshots = new ArrayList<>();
		for (IBaseResource resource : ordered) {
			if (resource instanceof StructureDefinition definition && !definition.hasSnapshot()) {
				IBaseResource snapshotted = chain.generateSnapshot(new ValidationSupportContext(chain), definition,
						definition.getUrl(), null, definition.getName());
				if (snapshotted == null) {
					throw new IllegalStateException("Cannot generate a snapshot for " + definition.getUrl());
				}
				ours.addResource(snapshotted);
				withSnapshots.add(snapshotted);
			}
			else {
				withSnapshots.add(resource);
			}
		}
		chain.invalidateCaches();
		return new ConformancePackage(name, version, withSnapshots, chain);
	}

	public String name() {
		return this.name;
	}

	public String version() {
		return this.version;
	}

	/**
	 * Every conformance resource, in install order; StructureDefinitions carry snapshots.
	 */
	public List<IBaseResource> resources() {
		return this.resources;
	}

	/**
	 * Offline validation support for our profiles on top of the R4 core specification.
	 */
	public IValidationSupport validationSupport() {
		return this.validationSupport;
	}

	/**
	 * The codes ({@code system|code}) a value set of the package holds: the concepts it
	 * lists, every concept of a package CodeSystem it includes whole, and the codes of
	 * the package value sets it includes; an empty set if there is no such value set.
	 */
	public Set<String> codesOf(String valueSetUrl) {
		Set<String> codes = new HashSet<>();
		collectCodes(valueSetUrl, codes, new HashSet<>());
		return Set.copyOf(codes);
	}

	private void collectCodes(String valueSetUrl, Set<String> codes, Set<String> seen) {
		if (!seen.add(valueSetUrl)) {
			return;
		}
		for (IBaseResource resource : this.resources) {
			if (resource instanceof ValueSet valueSet && valueSetUrl.equals(valueSet.getUrl())) {
				for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
					include.getConcept().forEach((concept) -> codes.add(include.getSystem() + "|" + concept.getCode()));
					if (include.hasSystem() && !include.hasConcept() && !include.hasFilter()) {
						codesOfCodeSystem(include.getSystem()).forEach(codes::add);
					}
					include.getValueSet().forEach((included) -> collectCodes(included.getValue(), codes, seen));
				}
			}
		}
	}

	private List<String> codesOfCodeSystem(String system) {
		List<String> codes = new ArrayList<>();
		for (IBaseResource resource : this.resources) {
			if (resource instanceof CodeSystem codeSystem && system.equals(codeSystem.getUrl())) {
				addConcepts(system, codeSystem.getConcept(), codes);
			}
		}
		return codes;
	}

	private static void addConcepts(String system, List<CodeSystem.ConceptDefinitionComponent> concepts,
			List<String> codes) {
		for (CodeSystem.ConceptDefinitionComponent concept : concepts) {
			codes.add(system + "|" + concept.getCode());
			addConcepts(system, concept.getConcept(), codes);
		}
	}

	/**
	 * The last part of a canonical URL: {@code epaccs-patient} for our Patient profile.
	 */
	static String nameOf(String canonicalUrl) {
		return canonicalUrl.substring(canonicalUrl.lastIndexOf('/') + 1);
	}

	public static boolean isOurs(String canonicalUrl) {
		return canonicalUrl != null && canonicalUrl.startsWith(CANONICAL_BASE + "/");
	}

	private static int installRank(IBaseResource resource) {
		int rank = INSTALL_ORDER.indexOf(resource.fhirType());
		if (resource instanceof StructureDefinition definition && !"Extension".equals(definition.getType())) {
			// profiles use extensions: extensions first
			rank = rank * 10 + 1;
		}
		else {
			rank = rank * 10;
		}
		return (rank < 0) ? Integer.MAX_VALUE : rank;
	}

	private static IBaseResource parse(FhirContext fhirContext, Resource file) throws IOException {
		try (InputStream in = file.getInputStream()) {
			return fhirContext.newJsonParser().parseResource(new String(in.readAllBytes(), StandardCharsets.UTF_8));
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException(
					"Conformance package file " + file.getFilename() + " is not a FHIR resource: " + ex.getMessage(),
					ex);
		}
	}

}
