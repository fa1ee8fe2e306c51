package org.openepaccs.summary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.testsupport.Examples;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package's example summary documents
 * ({@code profiles/examples/Bundle-*-summary.json}) are what the builder makes of each
 * story of scenarios.md with a living person and a plan, at 3 a.m. on a fixed night, so
 * the official validator's run over the examples validates the builder's output. Only the
 * two random UUIDs of a summary (its Composition and its identifier) are made fixed.
 * After a change to the builder, write them anew with
 * {@code ./mvnw test -Dtest=SummaryExamplesTest -Dsummary-examples.write=true} and read
 * the difference.
 */
class SummaryExamplesTest {

	private static final FhirContext fhir = FhirContext.forR4Cached();

	private static final PlanSummaryBuilder builder = new PlanSummaryBuilder(
			SummaryCodes.of(ConformancePackage.fromClasspath(fhir)), SummaryProperties.defaults());

	private static final Instant THREE_AM = Instant.parse("2026-11-30T03:00:00Z");

	/** The base the story records use for their entries. */
	private static final String SERVER_BASE = "http://localhost:8080/fhir";

	/** What the server loads beside a person's record rather than as part of it. */
	private static final Set<String> DIRECTORY = Set.of("Organization", "Practitioner", "PractitionerRole",
			"HealthcareService", "Medication");

	@ParameterizedTest
	@ValueSource(strings = { "margaret", "leo", "okafor" })
	void theExampleSummaryIsWhatTheBuilderMakesOfTheStory(String story) throws IOException {
		Bundle record = (Bundle) Examples.parse(Path.of("profiles", "examples", "Bundle-" + story + "-record.json"));
		List<Resource> resources = new ArrayList<>();
		Map<String, Resource> directory = new HashMap<>();
		for (Bundle.BundleEntryComponent entry : record.getEntry()) {
			Resource resource = entry.getResource();
			if (DIRECTORY.contains(resource.fhirType())) {
				directory.put(resource.fhirType() + "/" + resource.getIdElement().getIdPart(), resource);
			}
			else {
				resources.add(resource);
			}
		}

		Bundle summary = builder.build(new PlanRecord(resources, directory, Map.of()), THREE_AM, SERVER_BASE);

		String composition = summary.getEntryFirstRep().getResource().getIdElement().getIdPart();
		String identifier = summary.getIdentifier().getValue().substring("urn:uuid:".length());
		String made = fhir.newJsonParser()
			.setPrettyPrint(true)
			.encodeResourceToString(summary)
			.replace(composition, fixedUuid(story + " summary composition"))
			.replace(identifier, fixedUuid(story + " summary identifier")) + "\n";
		Path example = Path.of("profiles", "examples", "Bundle-" + story + "-summary.json");
		if (Boolean.getBoolean("summary-examples.write")) {
			Files.writeString(example, made);
		}
		assertThat(Examples.read(example)).as(example + " is not what the builder makes now").isEqualTo(made);
	}

	private static String fixedUuid(String name) {
		return UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
	}

}
