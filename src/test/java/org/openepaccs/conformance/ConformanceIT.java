package org.openepaccs.conformance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package installed in the running server: its conformance resources are served,
 * every example is accepted and read back unchanged, every invalid example and every
 * wrong NHS number is refused with 422 saying where.
 */
@EpaccsIntegrationTest
class ConformanceIT {

	private static final FhirContext fhir = FhirContext.forR4Cached();

	@LocalServerPort
	int port;

	@Autowired
	ConformancePackage conformancePackage;

	FhirHttp http;

	@BeforeEach
	void connect() {
		this.http = new FhirHttp(this.port);
	}

	@Test
	void everyConformanceResourceIsServedWithItsSnapshot() {
		for (IBaseResource resource : this.conformancePackage.resources()) {
			if (resource instanceof org.hl7.fhir.r4.model.OperationDefinition operation) {
				// HAPI answers reads of OperationDefinition/{id} from the operations it
				// generates itself; the package's own is found by its canonical URL
				Response found = this.http.get("/fhir/OperationDefinition?url=" + operation.getUrl());
				assertThat(found.resource(org.hl7.fhir.r4.model.Bundle.class).getEntry()).as(operation.getUrl())
					.hasSize(1);
				continue;
			}
			Response read = this.http.get("/fhir/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart());

			assertThat(read.status()).as(resource.getIdElement().getValue()).isEqualTo(200);
			if (resource instanceof StructureDefinition) {
				assertThat(read.resource(StructureDefinition.class).hasSnapshot()).isTrue();
			}
		}
	}

	@Test
	void theCapabilityStatementListsEveryProfileAsSupported() {
		CapabilityStatement statement = this.http.get("/fhir/metadata").resource(CapabilityStatement.class);

		for (IBaseResource resource : this.conformancePackage.resources()) {
			if (resource instanceof StructureDefinition definition
					&& definition.getKind() == StructureDefinition.StructureDefinitionKind.RESOURCE) {
				assertThat(statement.getRestFirstRep().getResource())
					.filteredOn((r) -> r.getType().equals(definition.getType()))
					.flatExtracting((r) -> r.getSupportedProfile().stream().map((p) -> p.getValue()).toList())
					.contains(definition.getUrl());
			}
		}
	}

	@Test
	void everyExampleIsAcceptedAndReadBackUnchanged() {
		Map<Path, Resource> pending = new LinkedHashMap<>();
		Examples.valid()
			.stream()
			.filter((file) -> !isBundle(file))
			.forEach((file) -> pending.put(file, (Resource) Examples.parse(file)));
		assertThat(pending).isNotEmpty();
		// examples refer to each other and the server enforces referential integrity:
		// store in passes until done
		List<String> lastFailures = new ArrayList<>();
		while (!pending.isEmpty()) {
			lastFailures.clear();
			int before = pending.size();
			pending.entrySet().removeIf((entry) -> {
				Response response = put(entry.getValue());
				if (response.status() == 200 || response.status() == 201) {
					return true;
				}
				lastFailures.add(entry.getKey() + " " + response.status() + " " + response.body());
				return false;
			});
			assertThat(pending.size()).as("examples that could not be stored: " + lastFailures).isLessThan(before);
		}

		for (Path file : Examples.valid()) {
			if (isBundle(file)) {
				continue;
			}
			Resource original = (Resource) Examples.parse(file);
			Resource stored = (Resource) this.http
				.get("/fhir/" + original.fhirType() + "/" + original.getIdElement().getIdPart())
				.resource(original.getClass());
			assertThat(comparable(stored)).as(file.toString()).isEqualTo(comparable(original));
		}
	}

	@Test
	void eachStoryLoadsInOneTransactionAndTheCustomSearchParametersFindIt() {
		List<Path> stories = Examples.valid().stream().filter(ConformanceIT::isStoryBundle).toList();
		assertThat(stories).hasSizeGreaterThanOrEqualTo(2);
		for (Path story : stories) {
			Response response = this.http.post("/fhir", Examples.read(story));

			assertThat(response.status()).as(story + " " + response.body()).isEqualTo(200);
			assertThat(response.resource(Bundle.class).getEntry()).extracting((e) -> e.getResponse().getStatus())
				.allMatch((status) -> status.startsWith("200") || status.startsWith("201"));
		}

		Bundle firstChoices = this.http.get("/fhir/Observation?subject=Patient/margaret&preference-rank=1")
			.resource(Bundle.class);
		assertThat(firstChoices.getEntry()).extracting((e) -> e.getResource().getIdElement().getIdPart())
			.contains("margaret-ppd-1")
			.doesNotContain("margaret-ppd-2");
		Bundle currentAlerts = this.http
			.get("/fhir/Flag?patient=margaret&status=active&code=http://snomed.info/sct%7C450476008")
			.resource(Bundle.class);
		assertThat(currentAlerts.getEntry()).extracting((e) -> e.getResource().getIdElement().getIdPart())
			.containsExactly("margaret-cpr");
		Bundle dueForReview = this.http.get("/fhir/CarePlan?subject=Patient/margaret&review-date=ge2000-01-01")
			.resource(Bundle.class);
		assertThat(dueForReview.getEntry()).extracting((e) -> e.getResource().getIdElement().getIdPart())
			.contains("margaret-acp");
		for (String person : List.of("margaret", "leo", "okafor")) {
			Bundle register = this.http
				.get("/fhir/Flag?patient=" + person + "&status=active&code=http://snomed.info/sct%7C1403151000000103")
				.resource(Bundle.class);
			assertThat(register.getEntry()).extracting((e) -> e.getResource().getIdElement().getIdPart())
				.as("the stories send no register alert: the server raises it from the register entry")
				.containsExactly(person + "-register-alert");
		}
	}

	@Test
	void everyInvalidExampleIsRefusedWith422NamingWhere() {
		for (Path file : Examples.refusedByTheServer()) {
			Resource invalid = (Resource) Examples.parse(file);
			invalid.setId("invalid-" + System.nanoTime());

			Response response = put(invalid);

			assertThat(response.status()).as(file + " " + response.body()).isEqualTo(422);
			OperationOutcome outcome = response.outcome();
			assertThat(outcome.getIssue()).as(file.toString())
				.anySatisfy((issue) -> assertThat(issue.getSeverity()).isIn(OperationOutcome.IssueSeverity.ERROR,
						OperationOutcome.IssueSeverity.FATAL));
			assertThat(outcome.getIssue()).as(file + ": every error names where it is")
				.filteredOn((issue) -> issue.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
				.allSatisfy((issue) -> assertThat(issue.getExpression().isEmpty() && issue.getLocation().isEmpty())
					.isFalse());
			assertThat(this.http.get("/fhir/" + invalid.fhirType() + "/" + invalid.getIdElement().getIdPart()).status())
				.isEqualTo(404);
		}
	}

	/**
	 * GP systems in England send ethnic category in UK Core's extension, which this
	 * package does not define (UK Core is in no registry this project reaches): the
	 * server keeps it, so ICB metrics can use it, and says it could not check it.
	 */
	@Test
	void aPatientWithUkCoreEthnicCategoryIsStoredWithTheExtension() {
		String ethnicCategory = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory";
		org.hl7.fhir.r4.model.Patient patient = (org.hl7.fhir.r4.model.Patient) Examples.parse(Path.of("src", "test",
				"resources", "conformance", "gp-data", "Patient-with-uk-core-ethnic-category.json"));
		patient.setId("uk-core-ethnicity-" + System.nanoTime());
		patient.getIdentifierFirstRep().setValue(TestNhsNumbers.unused());

		Response stored = put(patient);

		assertThat(stored.status()).as(stored.body()).isEqualTo(201);
		org.hl7.fhir.r4.model.Patient read = this.http.get("/fhir/Patient/" + patient.getIdElement().getIdPart())
			.resource(org.hl7.fhir.r4.model.Patient.class);
		assertThat(read.getExtensionByUrl(ethnicCategory)).isNotNull();
	}

	@Test
	void oneInvalidEntryRefusesTheWholeTransactionNamingTheEntry() {
		Bundle story = (Bundle) Examples.parse(Path.of("profiles", "examples", "Bundle-margaret-record.json"));
		String suffix = "-tx" + System.nanoTime();
		for (Bundle.BundleEntryComponent entry : story.getEntry()) {
			if (entry.getResource() instanceof org.hl7.fhir.r4.model.CarePlan plan
					&& "margaret-acp".equals(plan.getIdElement().getIdPart())) {
				plan.getCategory().clear(); // the profile needs a plan type
			}
		}
		String body = FhirHttp.json(story)
			.replace("margaret", "margaret" + suffix)
			.replace("9990000018", TestNhsNumbers.unused());

		Response response = this.http.post("/fhir", body);

		assertThat(response.status()).as(response.body()).isEqualTo(422);
		assertThat(response.outcome().getIssue()).anySatisfy((issue) -> {
			assertThat(issue.getExpression().toString()).startsWith("[Bundle.entry[");
			assertThat(issue.getDiagnostics())
				.contains("http://localhost:8080/fhir/CarePlan/margaret" + suffix + "-acp")
				.contains("CarePlan.category")
				.contains("declared in meta.profile");
		});
		assertThat(this.http.get("/fhir/Patient/margaret" + suffix).status()).as("nothing stored").isEqualTo(404);
	}

	@Test
	void epaccsContentIsValidatedEvenWhenItDeclaresNoProfile() {
		for (String name : List.of("CarePlan-intent-proposal.json", "Observation-ppd-missing-rank.json",
				"Observation-prognosis-with-value.json", "Flag-cpr-without-author.json",
				"EpisodeOfCare-register-without-period-start.json", "CareTeam-care-team-without-subject.json")) {
			Path file = Examples.invalid()
				.stream()
				.filter((path) -> path.getFileName().toString().equals(name))
				.findFirst()
				.orElseThrow();
			Resource undeclared = (Resource) Examples.parse(file);
			undeclared.getMeta().getProfile().clear();
			undeclared.setId("undeclared-" + System.nanoTime());

			Response response = put(undeclared);

			assertThat(response.status()).as(name + " " + response.body()).isEqualTo(422);
		}
	}

	@Test
	void validateOperationChecksAResourceAgainstOurProfilesWithoutStoringIt() {
		Path invalid = Examples.invalid()
			.stream()
			.filter((file) -> file.getFileName().toString().equals("Observation-ppd-rank-3.json"))
			.findFirst()
			.orElseThrow();
		Path valid = Path.of("profiles", "examples", "Observation-margaret-ppd-1.json");

		Response refused = this.http.post("/fhir/Observation/$validate", Examples.read(invalid));
		Response accepted = this.http.post("/fhir/Observation/$validate", Examples.read(valid));

		assertThat(refused.outcome().getIssue()).as(refused.body())
			.anySatisfy((issue) -> assertThat(issue.getDiagnostics()).contains("rank"));
		assertThat(accepted.outcome().getIssue()).as(accepted.body())
			.noneSatisfy((issue) -> assertThat(issue.getSeverity()).isIn(OperationOutcome.IssueSeverity.ERROR,
					OperationOutcome.IssueSeverity.FATAL));
	}

	@Test
	void aWrongNhsNumberIsRefusedWithItsPositionAndTheCheckDigitItNeeds() {
		String patient = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://example.org/local\","
				+ "\"value\":\"L1\"},{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"9990000019\"}],"
				+ "\"name\":[{\"family\":\"Testperson\"}]}";

		Response response = this.http.post("/fhir/Patient", patient);

		assertThat(response.status()).isEqualTo(422);
		OperationOutcome.OperationOutcomeIssueComponent issue = response.outcome().getIssueFirstRep();
		assertThat(issue.getExpression()).extracting(Object::toString).containsExactly("Patient.identifier[1].value");
		assertThat(issue.getDiagnostics()).contains("'9990000019' is not a valid NHS number")
			.contains("check digit (10th digit) is 9 but these first nine digits need 8");
	}

	@Test
	void aWrongNhsNumberInsideATransactionRefusesTheWholeTransaction() {
		String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
				+ "{\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\","
				+ "\"value\":\"9990000034\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
				+ "{\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\","
				+ "\"value\":\"9990000035\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}";

		Response response = this.http.post("/fhir", bundle);

		assertThat(response.status()).isEqualTo(422);
		assertThat(response.diagnostics()).contains("9990000035");
		// nothing stored: the transaction's valid entry was not kept either
		Response search = this.http.get("/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C9990000034");
		assertThat(search.resource(Bundle.class).getEntry()).isEmpty();
	}

	/**
	 * A story's record as one transaction, or a summary document the server makes (those
	 * are not stored: SummaryExamplesTest and PlanSummaryIT check them).
	 */
	private static boolean isBundle(Path file) {
		return file.getFileName().toString().startsWith("Bundle-");
	}

	private static boolean isStoryBundle(Path file) {
		return isBundle(file) && file.getFileName().toString().endsWith("-record.json");
	}

	private Response put(Resource resource) {
		return this.http.put("/fhir/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart(),
				fhir.newJsonParser().encodeResourceToString(resource));
	}

	/** The resource as JSON without what the server adds (version, time, source). */
	private static String comparable(Resource resource) {
		Resource copy = resource.copy();
		copy.setIdElement(copy.getIdElement().toUnqualifiedVersionless());
		copy.getMeta().setVersionId(null).setLastUpdated(null).setSource(null);
		copy.getMeta().getTag().removeIf((tag) -> "SUBSETTED".equals(tag.getCode()));
		if (copy.getMeta().isEmpty()) {
			copy.setMeta(null);
		}
		return fhir.newJsonParser().encodeResourceToString(copy);
	}

}
