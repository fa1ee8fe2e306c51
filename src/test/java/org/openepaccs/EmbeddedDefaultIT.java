package org.openepaccs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The README's first command: with the demo profile and no other configuration the server
 * starts on its embedded H2 database, issues demo tokens and serves FHIR; without the
 * demo profile and without an issuer it does not start. Only the database folder is
 * moved, so the test does not write into the working copy.
 */
class EmbeddedDefaultIT {

	@TempDir
	Path dataFolder;

	@Test
	void startsWithNoConfigurationOnAnEmbeddedDatabase() {
		String url = "jdbc:h2:file:" + this.dataFolder.resolve("epaccs").toAbsolutePath();
		try (RunningServer server = RunningServer.start("--spring.profiles.active=demo",
				"--spring.datasource.url=" + url)) {
			FhirHttp http = server.http();

			Response metadata = http.get("/fhir/metadata");
			assertThat(metadata.status()).isEqualTo(200);
			assertThat(metadata.resource(CapabilityStatement.class).getSoftware().getName())
				.isEqualTo("EPaCCS FHIR Server");

			String practice = http
				.post("/fhir/Organization",
						FhirHttp.json(new org.hl7.fhir.r4.model.Organization().setName("H2 Surgery")))
				.resource(org.hl7.fhir.r4.model.Organization.class)
				.getIdElement()
				.getIdPart();
			Patient patient = new Patient();
			patient.addName().setFamily("Embedded");
			patient.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue("9990000018");
			patient.addGeneralPractitioner().setReference("Organization/" + practice);
			Response created = http.post("/fhir/Patient", FhirHttp.json(patient));
			assertThat(created.status()).isEqualTo(201);
			String id = created.resource(Patient.class).getIdElement().getIdPart();
			assertThat(http.get("/fhir/Patient/" + id).resource(Patient.class).getNameFirstRep().getFamily())
				.isEqualTo("Embedded");

			// the audit trail works on the embedded database too: the creation and the
			// read
			Response trail = FhirHttp.as(server.port(), "admin").get("/fhir/AuditEvent?patient=Patient/" + id);
			assertThat(trail.status()).as(trail.body()).isEqualTo(200);
			assertThat(trail.resource(org.hl7.fhir.r4.model.Bundle.class).getEntry()).extracting(
					(entry) -> ((org.hl7.fhir.r4.model.AuditEvent) entry.getResource()).getSubtypeFirstRep().getCode())
				.containsExactly("read", "create");

			// the plan summary, by NHS number (HAPI's token index, read directly), names
			// the practice from the directory on this database too
			Response summary = FhirHttp.as(server.port(), "ooh-clinician")
				.get("/fhir/Patient/$epaccs-summary?identifier=" + NhsNumber.SYSTEM + "%7C9990000018");
			assertThat(summary.status()).as(summary.body()).isEqualTo(200);
			assertThat(summary.body()).contains("H2 Surgery");

			// the ICB metrics read HAPI's index tables with their own SQL: on this
			// database too (one person on the register: a count of 1, suppressed)
			Response entry = http.post("/fhir/EpisodeOfCare", "{\"resourceType\":\"EpisodeOfCare\",\"status\":"
					+ "\"active\",\"type\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":"
					+ "\"103735009\"}]}],\"patient\":{\"reference\":\"Patient/" + id + "\"},\"managingOrganization\":"
					+ "{\"reference\":\"Organization/" + practice + "\"},\"period\":{\"start\":\"2025-01-15\"}}");
			assertThat(entry.status()).as(entry.body()).isEqualTo(201);
			Response report = FhirHttp.as(server.port(), "icb-analyst")
				.get("/fhir/Measure/epaccs-register-care-planning/$evaluate-measure?periodStart=2025-04-01"
						+ "&periodEnd=2025-06-30");
			assertThat(report.status()).as(report.body()).isEqualTo(200);
			assertThat(report.resource(org.hl7.fhir.r4.model.MeasureReport.class)
				.getGroupFirstRep()
				.getPopulationFirstRep()
				.getCountElement()
				.hasValue()).isFalse();

			// an NHS number is on one Patient only on this database too, also when
			// writers race
			Response again = http.post("/fhir/Patient", FhirHttp.json(patient));
			assertThat(again.status()).as(again.body()).isEqualTo(409);
			Patient raced = new Patient();
			raced.addIdentifier().setSystem(NhsNumber.SYSTEM).setValue("9990000026");
			ExecutorService writers = Executors.newFixedThreadPool(4);
			try {
				List<CompletableFuture<Response>> racing = new ArrayList<>();
				for (int i = 0; i < 4; i++) {
					racing.add(CompletableFuture.supplyAsync(() -> http.post("/fhir/Patient", FhirHttp.json(raced)),
							writers));
				}
				assertThat(racing.stream().map(CompletableFuture::join).map(Response::status))
					.containsExactlyInAnyOrder(201, 409, 409, 409);
			}
			finally {
				writers.shutdownNow();
			}
		}
		assertThat(Files.exists(this.dataFolder.resolve("epaccs.mv.db"))).isTrue();
	}

	@Test
	void withoutTheDemoProfileOrAnIssuerItRefusesToStartSayingWhatToSet() {
		String url = "jdbc:h2:file:" + this.dataFolder.resolve("no-issuer").toAbsolutePath();

		assertThatThrownBy(() -> RunningServer.start("--spring.datasource.url=" + url).close())
			.hasStackTraceContaining("set epaccs.security.issuer-uri")
			.hasStackTraceContaining("--spring.profiles.active=demo");
	}

	@Test
	void theDemoIssuerOnANetworkAddressRefusesToStart() {
		String url = "jdbc:h2:file:" + this.dataFolder.resolve("network").toAbsolutePath();

		assertThatThrownBy(() -> RunningServer
			.start("--spring.profiles.active=demo", "--server.address=0.0.0.0", "--spring.datasource.url=" + url)
			.close())
			.hasStackTraceContaining("The demo token issuer (dev-only client secrets) is on, but it listens on")
			.hasStackTraceContaining("allow-network");
	}

	@Test
	void anIssuerSetTheOldWayRefusesToStartRatherThanBeIgnored() {
		String url = "jdbc:h2:file:" + this.dataFolder.resolve("old-issuer").toAbsolutePath();

		assertThatThrownBy(() -> RunningServer.start("--spring.profiles.active=demo",
				"--epaccs.security.embedded-issuer.issuer=https://epaccs.example.org", "--spring.datasource.url=" + url)
			.close()).hasStackTraceContaining("epaccs.security.embedded-issuer.issuer is no longer read")
			.hasStackTraceContaining("epaccs.fhir.server-address");
	}

	/**
	 * The benchmarks' baseline: the demo issuer gives the load its tokens while access
	 * control is off.
	 */
	@Test
	void theDemoIssuerStartsWithAccessControlOffForTheBenchmarksBaseline() {
		String url = "jdbc:h2:file:" + this.dataFolder.resolve("baseline").toAbsolutePath();
		try (RunningServer server = RunningServer.start("--spring.profiles.active=demo",
				"--epaccs.security.enabled=false", "--spring.datasource.url=" + url)) {
			assertThat(FhirHttp.anonymous(server.port()).get("/fhir/metadata").status()).isEqualTo(200);
			assertThat(server.http().accessToken()).isNotBlank();
		}
	}

}
