package org.openepaccs.population;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

	/**
	 * A load that stops part-way (here a server that starts refusing) leaves a progress
	 * file; the same command again sends only what is not known to be in, and every
	 * person ends up stored once.
	 */
	@Test
	void aLoadThatStopsPartWayResumesWhereItStopped(@TempDir Path folder) throws Exception {
		FhirHttp http = new FhirHttp(this.port);
		SyntheticPopulation population = new SyntheticPopulation(12, FIRST + 1_000, 30);
		Path progressFile = folder.resolve("load.progress");
		int directory = population.directory().size();

		try (Proxy stopping = new Proxy(this.port, directory + 10)) {
			assertThatThrownBy(() -> new PopulationLoader(stopping.fhirBase(), http::accessToken, 2, quiet())
				.load(population, progressFile)).hasMessageContaining("HTTP 400");
		}
		String[] saved = Files.readString(progressFile).trim().split(" ");
		int recordsDone = Integer.parseInt(saved[1]);
		assertThat(recordsDone).isBetween(1, 10);
		assertThat(saved[2]).isEqualTo("0");

		try (Proxy counting = new Proxy(this.port, Integer.MAX_VALUE)) {
			new PopulationLoader(counting.fhirBase(), http::accessToken, 2, quiet()).load(population, progressFile);
			long deaths = population.deaths().stream().filter((i) -> population.death(i) != null).count();
			assertThat(counting.distinct).hasSize((int) (30 - recordsDone + deaths));
		}
		assertThat(Files.readString(progressFile).trim()).endsWith(" 30 " + population.deaths().size());
		for (int i = 0; i < population.people(); i++) {
			assertThat(http
				.get("/fhir/Patient?_summary=count&identifier=https://fhir.nhs.uk/Id/nhs-number%7C"
						+ population.nhsNumberOf(i))
				.resource(Bundle.class)
				.getTotal()).as(population.nhsNumberOf(i)).isEqualTo(1);
		}
	}

	private static PrintStream quiet() {
		return new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
	}

	/**
	 * Between the loader and the server: forwards the first {@code limit} transactions
	 * and answers the rest 400, as a server that has started refusing would.
	 */
	private static final class Proxy implements AutoCloseable {

		final AtomicInteger transactions = new AtomicInteger();

		/** The transactions forwarded, each once however often it was retried. */
		final Set<String> distinct = ConcurrentHashMap.newKeySet();

		private final HttpServer server;

		private final ExecutorService threads = Executors.newFixedThreadPool(4);

		Proxy(int target, int limit) throws IOException {
			HttpClient client = HttpClient.newHttpClient();
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
			this.server.setExecutor(this.threads);
			this.server.createContext("/", (exchange) -> {
				byte[] body = exchange.getRequestBody().readAllBytes();
				byte[] answer = "{\"resourceType\":\"OperationOutcome\"}".getBytes(StandardCharsets.UTF_8);
				int status = 400;
				if (this.transactions.incrementAndGet() <= limit) {
					this.distinct.add(new String(body, StandardCharsets.UTF_8));
					try {
						HttpResponse<byte[]> response = client.send(HttpRequest
							.newBuilder(URI.create("http://localhost:" + target + exchange.getRequestURI()))
							.header("Content-Type", "application/fhir+json")
							.header("Authorization", exchange.getRequestHeaders().getFirst("Authorization"))
							.POST(HttpRequest.BodyPublishers.ofByteArray(body))
							.build(), HttpResponse.BodyHandlers.ofByteArray());
						status = response.statusCode();
						answer = response.body();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				exchange.sendResponseHeaders(status, answer.length);
				exchange.getResponseBody().write(answer);
				exchange.close();
			});
			this.server.start();
		}

		URI fhirBase() {
			return URI.create("http://localhost:" + this.server.getAddress().getPort() + "/fhir");
		}

		/**
		 * Lets what it has forwarded finish at the server first, so that the next load
		 * does not race a transaction still in work.
		 */
		@Override
		public void close() throws InterruptedException {
			this.server.stop(0);
			this.threads.shutdown();
			assertThat(this.threads.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
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
