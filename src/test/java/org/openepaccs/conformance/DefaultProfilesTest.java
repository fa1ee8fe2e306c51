package org.openepaccs.conformance;

import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultProfilesTest {

	private static final String PROFILES = ConformancePackage.CANONICAL_BASE + "/StructureDefinition/";

	private static ConformancePackage conformancePackage;

	@BeforeAll
	static void load() {
		conformancePackage = ConformancePackage.fromClasspath(FhirContext.forR4Cached());
	}

	@Test
	void aConfiguredTypeGetsItsProfile() {
		DefaultProfiles defaults = defaults(Map.of("CarePlan", PROFILES + "epaccs-advance-care-plan"));

		assertThat(defaults.profileFor(new CarePlan())).contains(PROFILES + "epaccs-advance-care-plan");
		assertThat(defaults.profileFor(new Consent())).isEmpty();
	}

	@Test
	void anEmptyValueSwitchesATypeOff() {
		assertThat(defaults(Map.of("CarePlan", "")).profileFor(new CarePlan())).isEmpty();
	}

	@Test
	void observationsAndFlagsGetTheProfileTheirCodeBelongsTo() {
		DefaultProfiles defaults = defaults(Map.of());

		assertThat(defaults.profileFor(observation("108401000000102"))).contains(PROFILES + "epaccs-preferred-place");
		assertThat(defaults.profileFor(observation("876879006"))).contains(PROFILES + "epaccs-actual-place-of-death");
		assertThat(defaults.profileFor(observation("901671000000100"))).contains(PROFILES + "epaccs-functional-status");
		Flag notForCpr = new Flag();
		notForCpr.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("450476008");
		assertThat(defaults.profileFor(notForCpr)).contains(PROFILES + "epaccs-cpr-decision-flag");
	}

	@Test
	void aCodeOutsideOurValueSetsMeansNoProfile() {
		Observation bloodPressure = new Observation();
		bloodPressure.getCode().addCoding().setSystem("http://loinc.org").setCode("85354-9");

		assertThat(defaults(Map.of()).profileFor(bloodPressure)).isEmpty();
	}

	private static Observation observation(String snomedCode) {
		Observation observation = new Observation();
		observation.getCode().addCoding().setSystem("http://snomed.info/sct").setCode(snomedCode);
		return observation;
	}

	private static DefaultProfiles defaults(Map<String, String> byType) {
		return new DefaultProfiles(conformancePackage,
				new ValidationProperties(true, byType, Set.of("Observation", "Flag")));
	}

}
