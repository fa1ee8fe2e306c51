package org.openepaccs.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openepaccs.testsupport.Examples;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package passes the official HL7 validator engine offline, as a vendor would run it
 * over {@code profiles/}: every conformance resource and every example has no error, and
 * every invalid example has one. Run alone with
 * {@code ./mvnw test -Dtest=OfficialValidatorTest}.
 */
class OfficialValidatorTest {

	private static OfficialValidator validator;

	@BeforeAll
	static void start() {
		validator = OfficialValidator.withPackage(OfficialValidator.TARBALL);
	}

	@ParameterizedTest
	@MethodSource("conformanceResources")
	void everyConformanceResourceIsValid(Path resource) {
		List<ValidationMessage> errors = validator.errors(Examples.read(resource));

		assertThat(errors).as(resource + OfficialValidator.describe(errors)).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("validExamples")
	void everyExampleIsValid(Path example) {
		List<ValidationMessage> errors = validator.errors(Examples.read(example));

		assertThat(errors).as(example + OfficialValidator.describe(errors)).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("invalidExamples")
	void everyInvalidExampleHasAnError(Path example) {
		assertThat(validator.errors(Examples.read(example))).as(example.toString()).isNotEmpty();
	}

	static Stream<Path> conformanceResources() {
		try (Stream<Path> files = Files.list(Path.of("profiles"))) {
			return files.filter((file) -> file.getFileName().toString().endsWith(".json"))
				.filter((file) -> !"package.json".equals(file.getFileName().toString()))
				.sorted()
				.toList()
				.stream();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static Stream<Path> validExamples() {
		return Examples.valid().stream();
	}

	static Stream<Path> invalidExamples() {
		return Examples.invalid().stream();
	}

}
