package org.openepaccs.conformance;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openepaccs.testsupport.Examples;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package as built into the application, validated offline with HAPI's validator:
 * every example is valid, every invalid example is not, and every profile has a snapshot.
 */
class ConformancePackageTest {

	private static final FhirContext fhir = FhirContext.forR4Cached();

	private static ConformancePackage conformancePackage;

	private static FhirValidator validator;

	@BeforeAll
	static void load() {
		conformancePackage = ConformancePackage.fromClasspath(fhir);
		validator = fhir.newValidator();
		validator.registerValidatorModule(new FhirInstanceValidator(conformancePackage.validationSupport()));
	}

	@Test
	void describesItselfAsAnR4PackageAndEveryProfileHasASnapshot() {
		assertThat(conformancePackage.name()).isEqualTo("org.openepaccs.peolc");
		assertThat(conformancePackage.resources()).allSatisfy((resource) -> {
			if (resource instanceof StructureDefinition definition) {
				assertThat(definition.getUrl()).startsWith(ConformancePackage.CANONICAL_BASE + "/StructureDefinition/");
				assertThat(definition.getFhirVersion().toCode()).isEqualTo("4.0.1");
				assertThat(definition.hasSnapshot()).as(definition.getUrl()).isTrue();
				assertThat(definition.getDescription()).as(definition.getUrl()).isNotBlank();
			}
		});
	}

	@ParameterizedTest
	@MethodSource("validExamples")
	void everyExampleIsValid(Path example) {
		List<SingleValidationMessage> errors = errors(example);

		assertThat(errors).as(example + " " + errors).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("invalidExamples")
	void everyInvalidExampleIsRefused(Path example) {
		assertThat(errors(example)).as(example.toString()).isNotEmpty();
	}

	static Stream<Path> validExamples() {
		return Examples.valid().stream();
	}

	static Stream<Path> invalidExamples() {
		return Examples.refusedByTheServer().stream();
	}

	private static List<SingleValidationMessage> errors(Path example) {
		return validator.validateWithResult(Examples.parse(example))
			.getMessages()
			.stream()
			.filter((message) -> message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
			.toList();
	}

}
