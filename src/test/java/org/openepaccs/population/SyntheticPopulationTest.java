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
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.common.NhsNumber;

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
		assertThat(SyntheticPopulation.nhsNumber(0)).as("clear of the examples' numbers").isGreaterThan("9990999999");
	}

	@Test
	void everyTelephoneNumberIsOneOfcomKeepsForDrama() {
		SyntheticPopulation population = new SyntheticPopulation(5, 1200, 300);
		StringBuilder all = new StringBuilder(String.join("", population.directory()));
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
		Map<String, Integer> kinds = new TreeMap<>();
		Map<String, Integer> ethnicities = new TreeMap<>();
		Map<Integer, Integer> deciles = new TreeMap<>();
		int cancer = 0;
		Map<String, Integer> childrensDiagnoses = new TreeMap<>();
		for (int i = 0; i < population.people(); i++) {
			Bundle record = fhir.newJsonParser().parseResource(Bundle.class, population.record(i));
			resources += record.getEntry().size();
			for (Bundle.BundleEntryComponent entry : record.getEntry()) {
				if (entry.getResource() instanceof Condition diagnosis) {
					if (population.isChild(i)) {
						childrensDiagnoses.merge(diagnosis.getCode().getCodingFirstRep().getCode(), 1, Integer::sum);
					}
					else if (isCancer(diagnosis.getCode())) {
						cancer++;
					}
				}
			}
			record.getEntry().forEach((entry) -> kinds.merge(kind(entry.getFullUrl()), 1, Integer::sum));
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
		assertThat((resources + 2 * deaths) / (double) population.people()).isBetween(15.0, 25.0);
		long adults = population.people() - children;
		assertThat(kinds.get("Observation/-prognosis-awareness")).isEqualTo(population.people());
		assertThat(kinds.get("CarePlan/-respect")).isEqualTo(kinds.get("DocumentReference/-respect-form"))
			.isBetween((int) (adults * 0.6), (int) (adults * 0.75)); // most adults
		assertThat(kinds.get("Consent/-adrt")).isBetween((int) (adults * 0.07), (int) (adults * 0.13));
		assertThat(kinds.get("Consent/-lpa")).isBetween((int) (adults * 0.12), (int) (adults * 0.18));
		assertThat(kinds.get("RelatedPerson/-next-of-kin") + kinds.get("RelatedPerson/-father"))
			.isBetween((int) (population.people() * 0.8), (int) (population.people() * 0.92));
		assertThat(population.practices()).isEqualTo(10);
		// a primary diagnosis for nine adults in ten, two thirds of them cancer, as in
		// Gadoud et al. 2020 (68% cancer among decedents with a palliative care record)
		int childrenDiagnosed = childrensDiagnoses.values().stream().mapToInt(Integer::intValue).sum();
		int diagnosed = kinds.get("Condition/-diagnosis") - childrenDiagnosed;
		assertThat(diagnosed).isBetween((int) (adults * 0.85), (int) (adults * 0.95));
		assertThat(cancer / (double) diagnosed).isBetween(0.62, 0.74);
		// children's life-limiting conditions, nine in ten coded, congenital the most
		// common (30.7% of diagnoses in Fraser et al. 2012), never an adult's diagnosis
		assertThat(childrenDiagnosed).isBetween((int) (children * 0.8), (int) (children * 0.97));
		assertThat(childrensDiagnoses.keySet()).hasSizeGreaterThanOrEqualTo(6)
			.isSubsetOf("Q23.4", "C71.9", "G71.0", "D57.1", "E84.9", "P91.6", "N18.5", "E76.0", "I42.0", "K72.1");
		assertThat(childrensDiagnoses.get("Q23.4"))
			.isEqualTo(childrensDiagnoses.values().stream().mapToInt(Integer::intValue).max().getAsInt());
		// three or more emergency admissions in the last 90 days for about 7.1% of those
		// who die (QualityWatch, England 2021)
		long threeAdmissions = population.deaths()
			.stream()
			.filter((i) -> population.death(i).contains("-admission-3\""))
			.count();
		assertThat(threeAdmissions / (double) deaths).isBetween(0.045, 0.10);
	}

	/**
	 * Cancer as the metrics decide it, by hand: ICD-10 chapter II, or one of the SNOMED
	 * CT codes the population uses, each in the package's cancer value set.
	 */
	private static boolean isCancer(CodeableConcept code) {
		Coding coding = code.getCodingFirstRep();
		return ("http://hl7.org/fhir/sid/icd-10".equals(coding.getSystem()) && coding.getCode().startsWith("C"))
				|| ("http://snomed.info/sct".equals(coding.getSystem())
						&& Set.of("372003004", "363346000", "372137005", "93974005").contains(coding.getCode()));
	}

	/**
	 * References between a person's resources resolve in their transaction, and the
	 * others to the directory, which is loaded first: the server refuses a dangling one.
	 */
	@Test
	void everyReferenceResolvesInTheRecordOrTheDirectory() {
		SyntheticPopulation population = new SyntheticPopulation(4, 300, 600);
		Set<String> directory = new HashSet<>();
		population.directory().forEach((part) -> directory.addAll(fullUrls(part)));
		for (int i = 0; i < population.people(); i++) {
			List<String> transactions = new java.util.ArrayList<>(List.of(population.record(i)));
			if (population.death(i) != null) {
				transactions.add(population.death(i));
			}
			Set<String> record = fullUrls(population.record(i));
			for (String transaction : transactions) {
				Matcher reference = Pattern.compile("\"reference\":\"([^\"#][^\"]*)\"").matcher(transaction);
				while (reference.find()) {
					assertThat(record.contains(reference.group(1)) || directory.contains(reference.group(1)))
						.as(population.patientIdOf(i) + " refers to " + reference.group(1))
						.isTrue();
				}
			}
		}
	}

	@Test
	void everyResourceConformsToOurProfiles() {
		ConformancePackage conformance = ConformancePackage.fromClasspath(fhir);
		FhirValidator validator = fhir.newValidator();
		validator.registerValidatorModule(new FhirInstanceValidator(conformance.validationSupport()));
		SyntheticPopulation population = new SyntheticPopulation(3, 400);
		List<String> transactions = new java.util.ArrayList<>();
		transactions.addAll(population.directory());
		// every 37th person, and anyone with a kind of resource not yet validated
		Set<String> kinds = new HashSet<>();
		for (int i = 0; i < population.people(); i++) {
			String record = population.record(i);
			Set<String> its = new HashSet<>();
			fhir.newJsonParser()
				.parseResource(Bundle.class, record)
				.getEntry()
				.forEach((entry) -> its.add(kind(entry.getFullUrl())));
			if (i % 37 == 0 || !kinds.containsAll(its)) {
				transactions.add(record);
				kinds.addAll(its);
			}
		}
		assertThat(kinds).contains("Observation/-prognosis-awareness", "CarePlan/-respect",
				"DocumentReference/-respect-form", "Consent/-adrt", "Consent/-lpa", "RelatedPerson/-next-of-kin",
				"RelatedPerson/-father");
		assertThat(kinds).contains("Condition/-diagnosis");
		for (int i : population.deaths().subList(0, 5)) {
			transactions.add(population.death(i));
		}
		transactions.add(population.deaths()
			.stream()
			.map(population::death)
			.filter((death) -> death.contains("Encounter"))
			.findFirst()
			.orElseThrow());
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

	/**
	 * What an entry is, without whose: {@code Consent/syn-12-lpa} is
	 * {@code Consent/-lpa}.
	 */
	private static String kind(String fullUrl) {
		return fullUrl.replaceFirst("/syn-\\d+", "/");
	}

	/**
	 * The largest population's directory goes in transactions a server takes (at most
	 * 1,000 entries by default), each referring only to itself and to those sent before
	 * it: 100,000 people's directory in one transaction was refused with 400.
	 */
	@Test
	void theDirectoryOfTheLargestPopulationLoadsInTransactionsOfAtMost1000EntriesInOrder() {
		SyntheticPopulation population = new SyntheticPopulation(1, SyntheticPopulation.MOST_PEOPLE);
		Set<String> sent = new HashSet<>();
		int entries = 0;
		for (String transaction : population.directory()) {
			Set<String> these = fullUrls(transaction);
			assertThat(these).hasSizeLessThanOrEqualTo(1000);
			sent.addAll(these);
			Matcher reference = Pattern.compile("\"reference\":\"([^\"#][^\"]*)\"").matcher(transaction);
			while (reference.find()) {
				assertThat(sent).as("sent by then").contains(reference.group(1));
			}
			entries += these.size();
		}
		assertThat(entries).as("3 per ICB and 5 per practice")
			.isEqualTo(5 * population.practices()
					+ 3 * ((population.lastPractice() / SyntheticPopulation.PRACTICES_PER_ICB)
							- (population.firstPractice() / SyntheticPopulation.PRACTICES_PER_ICB) + 1));
	}

	private static Set<String> fullUrls(String transaction) {
		Set<String> urls = new HashSet<>();
		fhir.newJsonParser()
			.parseResource(Bundle.class, transaction)
			.getEntry()
			.forEach((entry) -> urls.add(entry.getFullUrl()));
		return urls;
	}

}
