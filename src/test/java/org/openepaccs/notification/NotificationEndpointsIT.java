package org.openepaccs.notification;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the server sends notifications, and how it treats a receiver that fails. The test
 * profile allows plain http to 127.0.0.1 only (its receivers listen there); every other
 * non-public address is refused as in production.
 */
@EpaccsIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class NotificationEndpointsIT {

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp gp;

	final List<TestReceiver> receivers = new ArrayList<>();

	@BeforeEach
	void aClient() {
		this.gp = new FhirHttp(this.port);
	}

	@AfterEach
	void stopTheReceivers() {
		this.receivers.forEach(TestReceiver::stop);
	}

	/**
	 * Every class of address refused by default, less the one the test profile allows.
	 */
	static Stream<Arguments> refusedAddresses() {
		return EndpointAddressesTest.refusedByDefault().filter((row) -> !isTheAllowedLoopback((String) row.get()[0]));
	}

	private static boolean isTheAllowedLoopback(String literal) {
		try {
			return InetAddress.getByName(literal).equals(InetAddress.getByName("127.0.0.1"));
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@ParameterizedTest(name = "{0} ({1})")
	@MethodSource("refusedAddresses")
	void aSubscriptionToANonPublicAddressIsRefusedWithTheReason(String literal, String kind) {
		String host = literal.contains(":") ? "[" + literal + "]" : literal;
		Subscription subscription = NotificationIT.subscription("Flag?patient=" + patient("Refused"), 1);
		subscription.getChannel().setEndpoint("https://" + host + ":8443/hook");

		Response response = this.gp.post("/fhir/Subscription", FhirHttp.json(subscription));

		assertThat(response.status()).as(response.body()).isEqualTo(422);
		assertThat(response.outcome().getIssueFirstRep().getDiagnostics()).contains(kind, "allowed-addresses");
	}

	@Test
	void anUpdateOrATransactionCannotPointASubscriptionAtTheMetadataService() {
		String patient = patient("Metadata");
		Response created = this.gp.post("/fhir/Subscription",
				FhirHttp.json(NotificationIT.subscription("Flag?patient=" + patient, 9)));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		Subscription stored = NotificationIT.subscription("Flag?patient=" + patient, 9);
		stored.setId(created.resource(Subscription.class).getIdElement().toUnqualifiedVersionless());
		stored.getChannel().setEndpoint("https://169.254.169.254/latest/meta-data/");

		Response updated = this.gp.put("/fhir/" + stored.getIdElement().getValue(), FhirHttp.json(stored));
		Response transaction = this.gp.post("/fhir",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
						+ FhirHttp.json(stored.setId((String) null))
						+ ",\"request\":{\"method\":\"POST\",\"url\":\"Subscription\"}}]}");

		for (Response response : List.of(updated, transaction)) {
			assertThat(response.status()).as(response.body()).isEqualTo(422);
			assertThat(response.outcome().getIssueFirstRep().getDiagnostics()).contains("link-local");
		}
	}

	@Test
	void aRedirectIsNotFollowed() throws IOException {
		TestReceiver target = receiver(204);
		TestReceiver moved = receiver(302);
		moved.location = "http://127.0.0.1:" + target.port() + "/hook";
		String patient = patient("Redirected");
		String subscription = subscribe(patient, moved);

		flag(patient);

		Awaitility.await("the redirect answered")
			.atMost(Duration.ofSeconds(30))
			.until(() -> "HTTP 3xx".equals(lastError(subscription)));
		assertThat(moved.requests).hasSize(1);
		assertThat(target.requests).as("the redirect's target").isEmpty();
	}

	@Test
	void aReceiverThatHangsDoesNotHoldUpAnother() throws IOException {
		TestReceiver hanging = receiver(204);
		hanging.hang = new CountDownLatch(1);
		TestReceiver healthy = receiver(204);
		String slowPatient = patient("Slow");
		String hangingSubscription = subscribe(slowPatient, hanging);
		String quickPatient = patient("Quick");
		subscribe(quickPatient, healthy);
		updatedThreeTimes(slowPatient);
		Awaitility.await("the hanging receiver called")
			.atMost(Duration.ofSeconds(30))
			.until(() -> hanging.requests.size() == 1);

		flag(quickPatient);

		Awaitility.await("the healthy receiver's notification")
			.atMost(Duration.ofSeconds(30))
			.until(() -> healthy.requests.size() == 1);
		assertThat(hanging.hang.getCount()).as("still hanging").isEqualTo(1);
		assertThat(attempts(hangingSubscription)).as("no attempt to the hanging receiver has ended yet").isZero();
	}

	@Test
	void aFailingReceiverIsRetriedWithBackOffOnceForAllItsSubscriptionsAndLoggedOnce(CapturedOutput log)
			throws IOException {
		TestReceiver failing = receiver(503);
		String patient = patient("Failing");
		String subscription = subscribe(patient, failing);
		String otherPatient = patient("AlsoFailing");
		String otherSubscription = subscribe(otherPatient, failing);

		updatedThreeTimes(patient);
		flag(otherPatient);
		Awaitility.await("two attempts").atMost(Duration.ofSeconds(40)).until(() -> failing.requests.size() >= 2);

		assertThat(failing.requests).as("one attempt per back-off for four notifications of two subscriptions")
			.hasSize(2);
		assertThat(Duration.between(failing.requests.get(0), failing.requests.get(1)))
			.as("at least retry-first (5 s) apart")
			.isGreaterThanOrEqualTo(Duration.ofSeconds(5));
		failing.status.set(204);
		Awaitility.await("all four delivered once the receiver recovers")
			.atMost(Duration.ofSeconds(40))
			.until(() -> delivered(subscription) == 3 && delivered(otherSubscription) == 1);
		String receiver = "http://127.0.0.1:" + failing.port();
		assertThat(log.getAll().lines().filter((line) -> line.contains(receiver + " is failing (HTTP 5xx)")))
			.hasSize(1);
		assertThat(log.getAll().lines().filter((line) -> line.contains(receiver + " has recovered"))).hasSize(1);
		assertThat(log.getAll()).doesNotContain("receiver-secret");
	}

	@Test
	void tooManyHeadersOrAHeaderThatIsNotAsciiAreRefusedByIndexWithoutRepeatingThem() {
		String patient = patient("Headers");
		Subscription many = NotificationIT.subscription("Flag?patient=" + patient, 9);
		for (int i = 0; i < 10; i++) {
			many.getChannel().addHeader("X-Extra-" + i + ": value-" + i);
		}
		Subscription accented = NotificationIT.subscription("Flag?patient=" + patient, 9);
		accented.getChannel().addHeader("X-Api-Key: clé-secrète");
		Subscription longName = NotificationIT.subscription("Flag?patient=" + patient, 9);
		longName.getChannel().addHeader("X-" + "N".repeat(200) + ": v");

		Response tooMany = this.gp.post("/fhir/Subscription", FhirHttp.json(many));
		Response notAscii = this.gp.post("/fhir/Subscription", FhirHttp.json(accented));
		Response tooLong = this.gp.post("/fhir/Subscription", FhirHttp.json(longName));

		assertThat(tooMany.status()).isEqualTo(422);
		assertThat(tooMany.diagnostics()).contains("channel.header[10]").doesNotContain("value-");
		assertThat(notAscii.status()).isEqualTo(422);
		assertThat(notAscii.diagnostics()).contains("channel.header[1]").doesNotContain("secr");
		assertThat(tooLong.status()).isEqualTo(422);
		assertThat(tooLong.diagnostics()).contains("channel.header[1]").doesNotContain("NNNN");
	}

	private String patient(String family) {
		return "Patient/"
				+ this.gp.post("/fhir/Patient", FhirHttp.json(new Patient().addName(new HumanName().setFamily(family))))
					.resource(Patient.class)
					.getIdPart();
	}

	private String subscribe(String patient, TestReceiver receiver) {
		Response created = this.gp.post("/fhir/Subscription",
				FhirHttp.json(NotificationIT.subscription("Flag?patient=" + patient, receiver.port())));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.resource(Subscription.class).getIdPart();
	}

	private String flag(String patient) {
		return "Flag/" + this.gp.post("/fhir/Flag", FhirHttp.json(Examples.cprDecisionFor(patient)))
			.resource(Flag.class)
			.getIdPart();
	}

	/** Three changes to the person's CPR decision: its creation and two updates. */
	private void updatedThreeTimes(String patient) {
		String decision = flag(patient);
		for (String end : List.of("2027-02-01", "2027-03-01")) {
			Flag flag = Examples.cprDecisionFor(patient);
			flag.setId(decision);
			flag.getPeriod().setEndElement(new DateTimeType(end));
			assertThat(this.gp.put("/fhir/" + decision, FhirHttp.json(flag)).status()).isEqualTo(200);
		}
	}

	private String lastError(String subscription) {
		List<String> errors = this.jdbc.queryForList(
				"SELECT LAST_ERROR FROM " + NotificationOutbox.OUTBOX + " WHERE SUBSCRIPTION = ?", String.class,
				subscription);
		return errors.isEmpty() ? null : errors.get(0);
	}

	private int attempts(String subscription) {
		Integer attempts = this.jdbc.queryForObject(
				"SELECT COALESCE(SUM(ATTEMPTS), 0) FROM " + NotificationOutbox.OUTBOX + " WHERE SUBSCRIPTION = ?",
				Integer.class, subscription);
		return (attempts != null) ? attempts : 0;
	}

	private int delivered(String subscription) {
		Integer delivered = this.jdbc.queryForObject("SELECT COUNT(*) FROM " + NotificationOutbox.OUTBOX
				+ " WHERE SUBSCRIPTION = ? AND DELIVERED IS NOT NULL", Integer.class, subscription);
		return (delivered != null) ? delivered : 0;
	}

	private TestReceiver receiver(int status) throws IOException {
		TestReceiver receiver = new TestReceiver(status);
		this.receivers.add(receiver);
		return receiver;
	}

	/**
	 * A receiver on loopback that answers with the status it is set to, a redirect to
	 * {@code location}, or not at all until {@code hang} is released.
	 */
	static final class TestReceiver {

		final HttpServer server;

		final AtomicInteger status;

		final List<Instant> requests = new CopyOnWriteArrayList<>();

		volatile String location;

		volatile CountDownLatch hang;

		TestReceiver(int status) throws IOException {
			this.status = new AtomicInteger(status);
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			this.server.createContext("/hook", (exchange) -> {
				this.requests.add(Instant.now());
				exchange.getRequestBody().readAllBytes();
				CountDownLatch latch = this.hang;
				if (latch != null) {
					try {
						latch.await(60, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				if (this.location != null) {
					exchange.getResponseHeaders().add("Location", this.location);
				}
				exchange.sendResponseHeaders(this.status.get(), -1);
				exchange.close();
			});
			this.server.start();
		}

		int port() {
			return this.server.getAddress().getPort();
		}

		void stop() {
			if (this.hang != null) {
				this.hang.countDown();
			}
			this.server.stop(0);
		}

	}

}
