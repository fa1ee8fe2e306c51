package org.openepaccs.conformance;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.WorkDeadline;
import org.openepaccs.testsupport.Examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reusing InstanceValidators must not change a single message: the pooled validator is
 * compared with HAPI's own (a fresh InstanceValidator per resource) on every valid and
 * invalid example, in random order, from several threads, for many more validations than
 * one validator serves before it is retired.
 */
class PooledInstanceValidatorTest {

	private static final FhirContext fhir = FhirContext.forR4Cached();

	/** Margaret as her GP system sends her: with UK Core's ethnic category. */
	private static final Path GP_PATIENT_WITH_UK_CORE_ETHNICITY = Path.of("src", "test", "resources", "conformance",
			"gp-data", "Patient-with-uk-core-ethnic-category.json");

	private static final List<IBaseResource> examples = new ArrayList<>();

	private static final List<List<String>> expected = new ArrayList<>();

	private static FhirValidator pooled;

	@BeforeAll
	static void validateEachExampleWithHapisOwnValidator() {
		ConformancePackage conformancePackage = ConformancePackage.fromClasspath(fhir);
		FhirValidator hapi = fhir.newValidator();
		hapi.registerValidatorModule(new FhirInstanceValidator(conformancePackage.validationSupport()));
		pooled = fhir.newValidator();
		pooled.registerValidatorModule(new PooledInstanceValidator(conformancePackage.validationSupport()));
		List<Path> files = new ArrayList<>(Examples.valid());
		files.addAll(Examples.refusedByTheServer());
		for (Path file : files) {
			IBaseResource resource = Examples.parse(file);
			examples.add(resource);
			expected.add(messages(hapi, resource));
		}
	}

	@Test
	void givesTheSameMessagesAsAFreshValidatorWhateverItValidatedBefore() throws Exception {
		int validationsPerThread = PooledInstanceValidator.MAX_USES * 4;
		ExecutorService threads = Executors.newFixedThreadPool(3);
		try {
			List<Future<List<String>>> runs = new ArrayList<>();
			for (int thread = 0; thread < 3; thread++) {
				long seed = thread;
				runs.add(threads.submit(() -> mismatches(new Random(seed), validationsPerThread)));
			}
			for (Future<List<String>> run : runs) {
				assertThat(run.get()).isEmpty();
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	/**
	 * A validator kept every code it saw, with the parsed resource around it: about 120
	 * kB more heap per validation (measured: 72 MB over these 600), until it was retired.
	 */
	@Test
	void aReusedValidatorDoesNotGrowWithEachValidation() {
		validateInTurn(300); // the package's caches fill
		long before = heapAfterCollection();
		validateInTurn(600);
		long grown = heapAfterCollection() - before;

		assertThat(grown).as("heap grown over 600 validations, bytes").isLessThan(20L * 1024 * 1024);
	}

	/**
	 * A resource made to be costly to validate is stopped at the validator's next element
	 * once its request's time is up, not when the validator has finished with it.
	 */
	@Test
	void aValidationStopsSoonAfterItsRequestsTimeIsUp() {
		Patient costly = new Patient();
		for (int i = 0; i < 900; i++) {
			costly.addExtension("https://example.org/fhir/StructureDefinition/x" + i, new StringType("x"));
		}
		AtomicInteger asked = new AtomicInteger();
		WorkDeadline.begin(() -> asked.incrementAndGet() > 100);
		try {
			assertThatThrownBy(() -> pooled.validateWithResult(costly)).isInstanceOf(WorkDeadline.Exceeded.class);
		}
		finally {
			WorkDeadline.end();
		}
		// a validator that swallowed the stop and went on would ask at each of its
		// 1,800 or more elements
		assertThat(asked.get()).isBetween(101, 110);
		// and with time left, the same resource is validated to the end
		assertThat(pooled.validateWithResult(costly).getMessages()).isNotNull();
	}

	@Test
	void findsErrorsInTheInvalidExamples() {
		assertThat(expected).anySatisfy((messages) -> assertThat(messages).anyMatch((m) -> m.startsWith("ERROR")));
	}

	/**
	 * A GP system sends ethnic category in UK Core's extension, whose code system this
	 * package does not hold: the validator cannot check the code, and must say so without
	 * refusing the record (unknown code systems cause errors in this validator
	 * otherwise).
	 */
	@Test
	void acceptsUkCoreEthnicCategoryWithAWarningThatItsCodeSystemIsUnknown() {
		List<SingleValidationMessage> messages = pooled
			.validateWithResult(Examples.parse(GP_PATIENT_WITH_UK_CORE_ETHNICITY))
			.getMessages();

		assertThat(messages).noneMatch((m) -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal());
		assertThat(messages).anySatisfy((m) -> {
			assertThat(m.getSeverity()).isEqualTo(ResultSeverityEnum.WARNING);
			assertThat(m.getMessage()).contains("https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland");
		});
	}

	/**
	 * GP systems declare UK Core profiles, which this server does not hold: the resource
	 * is checked against base FHIR R4 (and any EPaCCS profile that applies) and the
	 * writer is told which profile was not checked, rather than refused.
	 */
	@Test
	void aDeclaredProfileTheServerDoesNotHoldIsAWarningNamingIt() {
		String asthmaPlan = "{\"resourceType\":\"CarePlan\",\"meta\":{\"profile\":[\"https://fhir.hl7.org.uk/"
				+ "StructureDefinition/UKCore-CarePlan\"]},\"status\":\"active\",\"intent\":\"plan\","
				+ "\"category\":[{\"text\":\"Asthma action plan\"}],\"subject\":{\"reference\":\"Patient/1\"}}";

		List<SingleValidationMessage> messages = pooled
			.validateWithResult(fhir.newJsonParser().parseResource(asthmaPlan))
			.getMessages();

		assertThat(messages).noneMatch((m) -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal());
		assertThat(messages).anySatisfy((m) -> {
			assertThat(m.getSeverity()).isEqualTo(ResultSeverityEnum.WARNING);
			assertThat(m.getMessage())
				.startsWith("Unknown profile https://fhir.hl7.org.uk/StructureDefinition/UKCore-CarePlan: ");
			assertThat(m.getLocationString()).isEqualTo("CarePlan.meta.profile");
		});
	}

	private static void validateInTurn(int validations) {
		for (int i = 0; i < validations; i++) {
			pooled.validateWithResult(examples.get(i % examples.size()));
		}
	}

	private static long heapAfterCollection() {
		System.gc();
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static List<String> mismatches(Random random, int validations) {
		List<String> mismatches = new ArrayList<>();
		for (int i = 0; i < validations; i++) {
			int example = random.nextInt(examples.size());
			List<String> actual = messages(pooled, examples.get(example));
			if (!actual.equals(expected.get(example))) {
				mismatches.add(examples.get(example).getIdElement().getIdPart() + ": expected " + expected.get(example)
						+ " but got " + actual);
			}
		}
		return mismatches;
	}

	private static List<String> messages(FhirValidator validator, IBaseResource resource) {
		return validator.validateWithResult(resource)
			.getMessages()
			.stream()
			.map(PooledInstanceValidatorTest::describe)
			.sorted()
			.toList();
	}

	private static String describe(SingleValidationMessage message) {
		return message.getSeverity() + " " + message.getLocationString() + " " + message.getMessage();
	}

}
