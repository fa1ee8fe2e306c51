package org.openepaccs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openepaccs.common.Systems;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.ServerProcess;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas, each a server in a JVM of its own on a port of its own, started at the
 * same moment on one new database, as an operator scaling to two would: both come up, and
 * what one does the other sees (docs/deployment.md). The simultaneous start is made on
 * another new database first ({@code -Dreplicas.earlier-starts=n} for more, or 0), as the
 * races it guards against are ones of timing. Replica A is killed (SIGKILL) at the end,
 * under write load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasIT {

	/**
	 * The test's notification receiver listens on loopback over plain http; the timed
	 * full reload of refusals is out of the way, so the decision counter alone must carry
	 * a refusal across.
	 */
	private static final String[] ARGUMENTS = { "--epaccs.notifications.allow-http=true",
			"--epaccs.notifications.allowed-addresses=127.0.0.1/32", "--epaccs.security.consent-refresh=10m" };

	private static final Duration START_UP = Duration.ofMinutes(6);

	/**
	 * docs/access.md: a refusal recorded through one replica holds on the others within
	 * 250 ms of its commit and one reload; the rest is room for a busy 2-core machine.
	 */
	private static final Duration CONSENT_BOUND = Duration.ofSeconds(2);

	/**
	 * docs/deployment.md: a subscription created through one replica hears of changes
	 * made through another from at most 1 s after its creation.
	 */
	private static final Duration SUBSCRIPTION_BOUND = Duration.ofSeconds(1);

	private static final Pattern VERSION = Pattern.compile("Flag/[^/\"]+/_history/\\d+");

	private final TestDatabase postgres = TestDatabase.server();

	private String database;

	private ServerProcess a;

	private ServerProcess b;

	@BeforeAll
	void twoReplicasStartedTogetherOnANewDatabase() throws Exception {
		// each start on a new database costs about a minute of both cores
		int earlierRounds = Integer.getInteger("replicas.earlier-starts", 1);
		for (int round = 0; round < earlierRounds; round++) {
			for (ServerProcess server : startTogether(this.postgres.createDatabase(), "replica-a" + round,
					"replica-b" + round)) {
				server.close();
			}
		}
		this.database = this.postgres.createDatabase();
		List<ServerProcess> replicas = startTogether(this.database, "replica-a", "replica-b");
		this.a = replicas.get(0);
		this.b = replicas.get(1);
	}

	private static List<ServerProcess> startTogether(String database, String... names) throws Exception {
		List<ServerProcess> servers = new ArrayList<>();
		try {
			for (String name : names) {
				servers.add(ServerProcess.start(name, database, ARGUMENTS));
			}
			for (ServerProcess server : servers) {
				server.awaitReady(START_UP);
			}
			return servers;
		}
		catch (Exception | Error ex) {
			for (ServerProcess server : servers) {
				server.kill();
			}
			throw ex;
		}
	}

	@AfterAll
	void stop() throws InterruptedException {
		for (ServerProcess server : new ServerProcess[] { this.a, this.b }) {
			if (server != null) {
				server.close();
			}
		}
	}

	@Test
	@Order(1)
	void oneReplicaInstalledThePackageAndAWriteOnEitherIsReadOnTheOther() throws IOException {
		String installedBy = (this.a.log().contains("new or changed") ? "A" : "")
				+ (this.b.log().contains("new or changed") ? "B" : "");
		assertThat(installedBy).as("the replica(s) that installed the conformance package").hasSize(1);

		FhirHttp onA = new FhirHttp(this.a.port());
		FhirHttp onB = new FhirHttp(this.b.port());
		String written = created(onA.post("/fhir/Patient", FhirHttp.json(person("Replicated"))));
		Response read = onB.get("/fhir/" + written);
		assertThat(read.status()).isEqualTo(200);
		assertThat(read.resource(Patient.class).getNameFirstRep().getFamily()).isEqualTo("Replicated");

		String other = created(onB.post("/fhir/Patient", FhirHttp.json(person("Backwards"))));
		assertThat(onA.get("/fhir/" + other).resource(Patient.class).getNameFirstRep().getFamily())
			.isEqualTo("Backwards");
		assertThat(onB.get("/fhir/StructureDefinition?_summary=count").resource(Bundle.class).getTotal())
			.as("the conformance package, served by both")
			.isPositive();
	}

	@Test
	@Order(2)
	void aRefusalRecordedOnOneReplicaIsEnforcedOnTheOtherWithinTheStatedBound() {
		FhirHttp gpOnA = new FhirHttp(this.a.port()); // organisation Y99901, which
														// records
		FhirHttp nurseOnB = FhirHttp.as(this.b.port(), "community-nurse"); // Y99902
		Organization surgery = new Organization().setName("Replica Surgery");
		surgery.addIdentifier().setSystem(Systems.ODS).setValue("Y99901");
		String organisation = created(gpOnA.post("/fhir/Organization", FhirHttp.json(surgery)));
		String patient = created(gpOnA.post("/fhir/Patient", FhirHttp.json(person("Refusing"))));
		assertThat(nurseOnB.get("/fhir/" + patient).status()).isEqualTo(200);

		created(gpOnA.post("/fhir/Consent", refusal(patient, organisation)));
		long recorded = System.nanoTime();
		Awaitility.await("the refusal enforced on the other replica")
			.atMost(CONSENT_BOUND)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> nurseOnB.get("/fhir/" + patient).status() == 403);
		assertThat(Duration.ofNanos(System.nanoTime() - recorded)).isLessThan(CONSENT_BOUND);
	}

	@Test
	@Order(3)
	void eachChangeIsDeliveredOnceWhicheverReplicaMadeIt() throws Exception {
		Queue<String> delivered = new ConcurrentLinkedQueue<>();
		int receiverPort;
		try (ServerSocket free = new ServerSocket(0)) {
			receiverPort = free.getLocalPort();
		}
		HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", receiverPort), 0);
		receiver.createContext("/hook", (exchange) -> {
			Matcher version = VERSION
				.matcher(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
			delivered.add(version.find() ? version.group() : "?");
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		receiver.start();
		try {
			FhirHttp onA = new FhirHttp(this.a.port());
			FhirHttp onB = new FhirHttp(this.b.port());
			String patient = created(onA.post("/fhir/Patient", FhirHttp.json(person("Notified"))));
			Subscription subscription = new Subscription().setStatus(Subscription.SubscriptionStatus.REQUESTED)
				.setReason("Out-of-hours service: CPR decisions of our patients")
				.setCriteria("Flag?patient=" + patient);
			subscription.getChannel()
				.setType(Subscription.SubscriptionChannelType.RESTHOOK)
				.setEndpoint("http://127.0.0.1:" + receiverPort + "/hook");
			created(onA.post("/fhir/Subscription", FhirHttp.json(subscription)));
			long subscribed = System.nanoTime();

			Flag flag = Examples.cprDecisionFor(patient);
			String decision = created(onA.post("/fhir/Flag", FhirHttp.json(flag)));
			flag.setId(decision);
			// changes through B (each with the time since the subscription), until one is
			// delivered: B has heard of the subscription
			List<String> made = new ArrayList<>();
			List<Duration> madeAfter = new ArrayList<>();
			made.add(decision + "/_history/1");
			madeAfter.add(Duration.ofNanos(System.nanoTime() - subscribed));
			Awaitility.await("a change made through B is notified")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> {
					madeAfter.add(Duration.ofNanos(System.nanoTime() - subscribed));
					made.add(update(onB, flag, made.size() + 1));
					return made.subList(1, made.size()).stream().anyMatch(delivered::contains);
				});
			int firstHeard = 1;
			while (!delivered.contains(made.get(firstHeard))) {
				firstHeard++;
			}
			for (int i = 0; i < 6; i++) {
				made.add(update((i % 2 == 0) ? onA : onB, flag, made.size() + 1));
			}
			List<String> fromFirstHeard = made.subList(firstHeard, made.size());
			Awaitility.await("every change from the first heard through B delivered")
				.atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> delivered.containsAll(fromFirstHeard) && outboxDone());

			assertThat(madeAfter.get(firstHeard))
				.as("B heard of the subscription within the bound (and the time to write a change)")
				.isLessThan(SUBSCRIPTION_BOUND.plusSeconds(2));
			assertThat(delivered).as("each change delivered once, not once per replica")
				.doesNotHaveDuplicates()
				.containsAll(fromFirstHeard)
				.contains(made.get(0));
		}
		finally {
			receiver.stop(0);
		}
	}

	@Test
	@Order(4)
	void pagingStartedOnOneReplicaContinuesOnTheOther() {
		FhirHttp onA = new FhirHttp(this.a.port());
		FhirHttp onB = new FhirHttp(this.b.port());
		String family = "Paged" + UUID.randomUUID().toString().substring(0, 8);
		Set<String> written = new HashSet<>();
		for (int i = 0; i < 7; i++) {
			written.add(created(((i % 2 == 0) ? onA : onB).post("/fhir/Patient", FhirHttp.json(person(family)))));
		}
		Bundle page = onA.get("/fhir/Patient?family=" + family + "&_count=3").resource(Bundle.class);
		List<String> seen = new ArrayList<>(ids(page));
		int pages = 1;
		while (page.getLink(Bundle.LINK_NEXT) != null) {
			String next = page.getLink(Bundle.LINK_NEXT).getUrl();
			// every page after the first from B, whichever replica's address the link has
			Response answer = onB.get(next.replaceFirst("^https?://[^/]+", ""));
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			page = answer.resource(Bundle.class);
			seen.addAll(ids(page));
			pages++;
		}
		assertThat(pages).isEqualTo(3);
		assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(written);
	}

	@Test
	@Order(5)
	void aTokenOfOneReplicasDemoIssuerIsRefusedByTheOther() {
		String tokenOfA = new FhirHttp(this.a.port()).accessToken();
		Response answer = FhirHttp.anonymous(this.b.port())
			.get("/fhir/Patient?_count=1", "Authorization", "Bearer " + tokenOfA);
		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer").contains("invalid_token");
	}

	@Test
	@Order(6)
	void killingOneReplicaUnderWriteLoadLosesNoAcknowledgedWriteAndTheOtherKeepsServing() throws Exception {
		FhirHttp onA = new FhirHttp(this.a.port());
		onA.accessToken();
		Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
		AtomicBoolean stop = new AtomicBoolean();
		List<Thread> writers = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			Thread writer = new Thread(() -> {
				while (!stop.get()) {
					try {
						Response response = onA.post("/fhir/Patient", FhirHttp.json(person("Loaded")));
						if (response.status() == 201) {
							acknowledged.add(created(response));
						}
					}
					catch (UncheckedIOException gone) {
						return; // A is gone: what it acknowledged is what counts
					}
				}
			});
			writer.start();
			writers.add(writer);
		}
		Awaitility.await("writes acknowledged by A")
			.atMost(Duration.ofSeconds(60))
			.until(() -> acknowledged.size() >= 20);
		this.a.kill();
		stop.set(true);
		for (Thread writer : writers) {
			writer.join(Duration.ofSeconds(30).toMillis());
		}

		FhirHttp onB = new FhirHttp(this.b.port());
		for (String patient : acknowledged) {
			assertThat(onB.get("/fhir/" + patient).status()).as(patient + ", acknowledged by A").isEqualTo(200);
		}
		String after = created(onB.post("/fhir/Patient", FhirHttp.json(person("Afterwards"))));
		assertThat(onB.get("/fhir/" + after).status()).isEqualTo(200);
		assertThat(this.b.isAlive()).isTrue();
	}

	/** Every notification row delivered or given up: nothing more will be sent. */
	private boolean outboxDone() throws SQLException {
		try (Connection connection = DriverManager.getConnection(this.database, this.postgres.user(),
				this.postgres.password());
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(
						"SELECT COUNT(*) FROM EPACCS_NOTIFICATION WHERE DELIVERED IS NULL AND GAVE_UP IS NULL")) {
			return rows.next() && rows.getInt(1) == 0;
		}
	}

	/** Changes the flag's end date, so that each update is a new version. */
	private static String update(FhirHttp server, Flag flag, int version) {
		flag.getPeriod().setEndElement(new DateTimeType(LocalDate.of(2027, 3, 1).plusDays(version).toString()));
		Response response = server.put("/fhir/" + flag.getIdElement().toUnqualifiedVersionless().getValue(),
				FhirHttp.json(flag));
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		Flag stored = response.resource(Flag.class);
		return "Flag/" + stored.getIdElement().getIdPart() + "/_history/" + stored.getMeta().getVersionId();
	}

	private static List<String> ids(Bundle page) {
		return page.getEntry()
			.stream()
			.filter((entry) -> entry.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
			.map((entry) -> "Patient/" + entry.getResource().getIdElement().getIdPart())
			.toList();
	}

	private static Patient person(String family) {
		return new Patient().addName(new HumanName().setFamily(family));
	}

	private static String refusal(String patient, String organisation) {
		return "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
				+ "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
				+ "\"code\":\"IDSCL\"}]}],\"patient\":{\"reference\":\"" + patient
				+ "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{\"reference\":\"" + patient
				+ "\"}],\"organization\":[{\"reference\":\"" + organisation
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],"
				+ "\"provision\":{\"type\":\"deny\"}}";
	}

	private static String created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return response.header("Location").replaceAll(".*/fhir/([A-Za-z]+/[^/]+)/_history/.*", "$1");
	}

}
