package org.openepaccs.conformance;

import java.util.Optional;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultProfilesTest {

	private static final String PROFILES = ConformancePackage.CANONICAL_BASE + "/StructureDefinition/";

	private static final String SNOMED = "http://snomed.info/sct";

	private static ConformancePackage conformancePackage;

	@BeforeAll
	static void load() {
		conformancePackage = ConformancePackage.fromClasspath(FhirContext.forR4Cached());
	}

	@Test
	void everyPatientIsAPersonWithAnEpaccsRecord() {
		assertThat(profile(new Patient())).contains(PROFILES + "epaccs-patient");
	}

	@Test
	void aCarePlanIsAnEpaccsPlanOnlyWhenItsCategoryIsAPlanType() {
		CarePlan endOfLife = new CarePlan();
		endOfLife.addCategory().addCoding().setSystem(SNOMED).setCode("736373009");
		CarePlan asthma = new CarePlan();
		asthma.addCategory().setText("Asthma action plan");

		assertThat(profile(endOfLife)).contains(PROFILES + "epaccs-advance-care-plan");
		assertThat(defaults().profileFor(endOfLife).orElseThrow().reason())
			.isEqualTo("epaccs-advance-care-plan applies by default: CarePlan.category holds "
					+ "http://snomed.info/sct|736373009, a code of epaccs-plan-type");
		assertThat(profile(asthma)).isEmpty();
		assertThat(profile(new CarePlan())).isEmpty();
	}

	@Test
	void anEpisodeOfCareIsARegisterEntryOnlyWhenItsTypeIsPalliativeCare() {
		EpisodeOfCare register = new EpisodeOfCare();
		register.addType().addCoding().setSystem(SNOMED).setCode("103735009");
		EpisodeOfCare districtNursing = new EpisodeOfCare();
		districtNursing.addType().setText("District nursing");

		assertThat(profile(register)).contains(PROFILES + "epaccs-register-entry");
		assertThat(profile(districtNursing)).isEmpty();
	}

	@Test
	void aConsentIsTheSharingDecisionByItsScopeAndAnAdvanceDecisionByItsCategory() {
		Consent sharing = new Consent();
		sharing.getScope()
			.addCoding()
			.setSystem("http://terminology.hl7.org/CodeSystem/consentscope")
			.setCode("patient-privacy");
		Consent research = new Consent();
		research.getScope()
			.addCoding()
			.setSystem("http://terminology.hl7.org/CodeSystem/consentscope")
			.setCode("research");

		assertThat(profile(sharing)).contains(PROFILES + "epaccs-consent-to-share");
		assertThat(profile(research)).isEmpty();
	}

	@Test
	void otherTypesHaveNoEpaccsProfile() {
		assertThat(profile(new MedicationRequest())).isEmpty();
		assertThat(profile(new Condition())).isEmpty();
	}

	@Test
	void observationsAndFlagsGetTheProfileTheirCodeBelongsTo() {
		DefaultProfiles defaults = defaults();

		assertThat(profileOf(defaults, observation("108401000000102"))).contains(PROFILES + "epaccs-preferred-place");
		assertThat(profileOf(defaults, observation("876879006"))).contains(PROFILES + "epaccs-actual-place-of-death");
		assertThat(profileOf(defaults, observation("901671000000100"))).contains(PROFILES + "epaccs-functional-status");
		Flag notForCpr = new Flag();
		notForCpr.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("450476008");
		assertThat(profileOf(defaults, notForCpr)).contains(PROFILES + "epaccs-cpr-decision-flag");
	}

	@Test
	void aCodeOutsideOurValueSetsMeansNoProfile() {
		Observation bloodPressure = new Observation();
		bloodPressure.getCode().addCoding().setSystem("http://loinc.org").setCode("85354-9");

		assertThat(defaults().profileFor(bloodPressure)).isEmpty();
	}

	private static Observation observation(String snomedCode) {
		Observation observation = new Observation();
		observation.getCode().addCoding().setSystem("http://snomed.info/sct").setCode(snomedCode);
		return observation;
	}

	private static Optional<String> profileOf(DefaultProfiles defaults, IBaseResource resource) {
		return defaults.profileFor(resource).map(DefaultProfiles.Applied::profile);
	}

	private static Optional<String> profile(IBaseResource resource) {
		return defaults().profileFor(resource).map(DefaultProfiles.Applied::profile);
	}

	private static DefaultProfiles defaults() {
		return new DefaultProfiles(conformancePackage);
	}

}
