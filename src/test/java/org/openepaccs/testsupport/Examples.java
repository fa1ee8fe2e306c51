package org.openepaccs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The examples of the conformance package, read from {@code profiles/examples} in the
 * working copy.
 */
public final class Examples {

	private static final Path VALID = Path.of("profiles", "examples");

	private static final Path INVALID = VALID.resolve("invalid");

	private static final Path INVALID_SNOMED_MEMBERSHIP = Path.of("src", "test", "resources", "conformance",
			"invalid-snomed-membership");

	private Examples() {
	}

	public static List<Path> valid() {
		return list(VALID);
	}

	public static List<Path> invalid() {
		return list(INVALID);
	}

	/**
	 * Invalid only because a SNOMED CT code is not in one of our value sets: the server's
	 * validation sees that, a validator without a terminology server does not, so these
	 * are not invalid examples of the package.
	 */
	public static List<Path> invalidSnomedMembership() {
		return list(INVALID_SNOMED_MEMBERSHIP);
	}

	/**
	 * Every invalid example and every resource the server refuses for its SNOMED CT
	 * codes.
	 */
	public static List<Path> refusedByTheServer() {
		return Stream.concat(invalid().stream(), invalidSnomedMembership().stream()).toList();
	}

	public static IBaseResource parse(Path file) {
		try {
			return FhirContext.forR4Cached().newJsonParser().parseResource(Files.readString(file));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<Path> list(Path folder) {
		if (!Files.isDirectory(folder)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter((file) -> file.getFileName().toString().endsWith(".json")).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A CPR decision (Not for CPR) of Margaret's example for another person: without the
	 * link to her ReSPECT plan, and with the author's display only.
	 */
	public static org.hl7.fhir.r4.model.Flag cprDecisionFor(String patient) {
		org.hl7.fhir.r4.model.Flag flag = (org.hl7.fhir.r4.model.Flag) parse(
				Path.of("profiles", "examples", "Flag-margaret-cpr.json"));
		flag.setId((String) null);
		flag.getExtension().clear();
		flag.getSubject().setReference(patient).setDisplay(null);
		flag.getAuthor().setReference(null);
		return flag;
	}

}
