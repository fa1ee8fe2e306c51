package org.openepaccs.population;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.conformance.NhsNumber;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticPopulationTest {

	private static final FhirContext fhir = FhirContext.forR4Cached();

	private static final String ETHNIC_CATEGORY = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory";

	private static final String DEPRIVATION_DECILE = "https://fhir.openepaccs.org/StructureDefinition/epaccs-deprivation-decile";

	@Test
	void theSamePopulationComesOutEveryTime() {
		assertThat(new SyntheticPopulation(7, 50).record(13)).isEqualTo(new SyntheticPopulation(7, 50).record(13));
		assertThat(new SyntheticPopulation(8, 50).record(13)).isNotEqualTo(new SyntheticPopulation(7, 50).record(13));
	}

	@Test
	void nhsNumbersAreValidDistinctAndFromTheTestingRange() {
		Set<String> numbers = new HashSet<>();
		for (int i = 0; i < 20_000; i++) {
			String number = SyntheticPopulation.nhsNumber(i);
			assertThat(NhsNumber.problem(number)).as(number).isNull();
			assertThat(number).startsWith("999");
			numbers.add(number);
		}
		assertThat(numbers).hasSize(20_000);
		assertThat(SyntheticPopulation.nhsNumber(SyntheticPopulation.MOST_PEOPLE - 1)).startsWith("999");
	}

	@Test
	void everyTelephoneNumberIsOneOfcomKeepsForDrama() {
		SyntheticPopulation population = new SyntheticPopulation(5, 1200, 300);
		StringBuilder all = new StringBuilder(population.directory());
		for (int i = 0; i < population.people(); i++) {
			all.append(population.record(i));
		}
		Matcher phone = Pattern.compile("\"system\":\"phone\",\"value\":\"([^\"]*)\"").matcher(all);
		int numbers = 0;
		while (phone.find()) {
			assertThat(phone.group(1)).matches("01632 960\\d{3}|07700 900\\d{3}");
			numbers++;
		}
		assertThat(numbers).isGreaterThan(population.people());
	}

	@Test
	void thePopulationLooksLikeARegister() {
		SyntheticPopulation population = new SyntheticPopulation(1, 2000);
		long children = 0;
		long resources = 0;
		Map<String, Integer> ethnicities = new TreeMap<>();
		Map<Integer, Integer> deciles = new TreeMap<>();
		for (int i = 0; i < population.people(); i++) {
			Bundle record = fhir.newJsonParser().parseResource(Bundle.class, population.record(i));
			resources += record.getEntry().size();
			if (population.isChild(i)) {
				children++;
			}
			Patient patient = (Patient) record.getEntryFirstRep().getResource();
			assertThat(patient.getIdentifierFirstRep().getValue()).isEqualTo(SyntheticPopulation.nhsNumber(i));
			Coding ethnicity = ((CodeableConcept) patient.getExtensionByUrl(ETHNIC_CATEGORY).getValue())
				.getCodingFirstRep();
			assertThat(ethnicity.getSystem())
				.isEqualTo("https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland");
			assertThat(ethnicity.getDisplay()).isNotBlank();
			ethnicities.merge(ethnicity.getCode(), 1, Integer::sum);
			deciles.merge(((IntegerType) patient.getExtensionByUrl(DEPRIVATION_DECILE).getValue()).getValue(), 1,
					Integer::sum);
		}
		long deaths = population.deaths().size();
		// everyone has an ethnic category and a decile; White British the most common,
		// every decile about a tenth
		assertThat(ethnicities.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(population.people());
		assertThat(ethnicities.get("A")).isBetween(1350, 1620);
		assertThat(ethnicities.keySet()).hasSizeGreaterThanOrEqualTo(12).contains("C", "H", "J", "N", "Z");
		assertThat(ethnicities.get("C") + ethnicities.get("H") + ethnicities.get("J") + ethnicities.get("N"))
			.isBetween(160, 400);
		assertThat(deciles).hasSize(10);
		assertThat(deciles.keySet()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
		assertThat(deciles.values()).allSatisfy((count) -> assertThat(count).isBetween(140, 260));
		assertThat(children).isBetween(60L, 140L); // about 5%
		assertThat(deaths).isBetween(560L, 780L); // about a third
		// with the death and place of death of a third, 15-25 resources a person
		assertThat((resources + 2 * deaths) / (double) population.people()).isBetween(10.0, 25.0);
		assertThat(population.practices()).isEqualTo(10);
	}

	@Test
	void everyResourceConformsToOurProfiles() {
		ConformancePackage conformance = ConformancePackage.fromClasspath(fhir);
		FhirValidator validator = fhir.newValidator();
		validator.registerValidatorModule(new FhirInstanceValidator(conformance.validationSupport()));
		SyntheticPopulation population = new SyntheticPopulation(3, 400);
		List<String> transactions = new java.util.ArrayList<>();
		transactions.add(population.directory());
		for (int i = 0; i < population.people(); i += 37) {
			transactions.add(population.record(i));
		}
		for (int i : population.deaths().subList(0, 5)) {
			transactions.add(population.death(i));
		}
		for (String transaction : transactions) {
			for (Bundle.BundleEntryComponent entry : fhir.newJsonParser()
				.parseResource(Bundle.class, transaction)
				.getEntry()) {
				List<String> errors = validator.validateWithResult(entry.getResource())
					.getMessages()
					.stream()
					.filter((message) -> message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
					.map(SingleValidationMessage::getMessage)
					.toList();
				assertThat(errors).as(entry.getFullUrl()).isEmpty();
			}
		}
	}

}
