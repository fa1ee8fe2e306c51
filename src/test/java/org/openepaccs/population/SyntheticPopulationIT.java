package org.openepaccs.population;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server takes a synthetic population as the loader sends it: every record and death
 * passes validation, the record rules and referential integrity (the loader stops at the
 * first refusal), and what it stores carries the inequality breakdowns.
 */
@EpaccsIntegrationTest
class SyntheticPopulationIT {

	/** People numbered far from anything else the integration tests store. */
	private static final int FIRST = 400_000;

	@LocalServerPort
	int port;

	@Test
	void theServerTakesEveryRecordAndDeath() throws Exception {
		FhirHttp http = new FhirHttp(this.port);
		SyntheticPopulation population = new SyntheticPopulation(11, FIRST, 60);
		ByteArrayOutputStream progress = new ByteArrayOutputStream();

		long sent = new PopulationLoader(URI.create("http://localhost:" + this.port + "/fhir"), http::accessToken, 2,
				new PrintStream(progress, true, StandardCharsets.UTF_8))
			.load(population, null);

		assertThat(sent).as(progress.toString(StandardCharsets.UTF_8)).isGreaterThan(60L * 15);
		Patient first = http.get("/fhir/Patient/" + population.patientIdOf(0)).resource(Patient.class);
		assertThat(first.getExtensionByUrl(EthnicCategory.EXTENSION)).isNotNull();
		assertThat(((IntegerType) first
			.getExtensionByUrl("https://fhir.openepaccs.org/StructureDefinition/epaccs-deprivation-decile")
			.getValue()).getValue()).isBetween(1, 10);
		for (String kind : new String[] { "CarePlan/%s-respect", "DocumentReference/%s-respect-form", "Consent/%s-adrt",
				"Consent/%s-lpa", "RelatedPerson/%s-next-of-kin", "Observation/%s-prognosis-awareness" }) {
			int someone = someoneWith(population, kind);
			assertThat(someone).as(kind).isNotNegative();
			assertThat(http.get("/fhir/" + kind.formatted(population.patientIdOf(someone))).status()).as(kind)
				.isEqualTo(200);
		}
	}

	/** The first person whose record has this entry (%s: their id), or -1. */
	private static int someoneWith(SyntheticPopulation population, String entry) {
		for (int i = 0; i < population.people(); i++) {
			if (population.record(i).contains("\"fullUrl\":\"" + entry.formatted(population.patientIdOf(i)) + "\"")) {
				return i;
			}
		}
		return -1;
	}

}
