package org.openepaccs.notification;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import ca.uhn.fhir.context.FhirContext;
import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An out-of-hours service subscribes to a person's CPR decision and hears of every
 * change, even one made while its receiver was down.
 */
@EpaccsIntegrationTest
class NotificationIT {

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp gp;

	String patient;

	Receiver receiver;

	@BeforeEach
	void aPerson() {
		this.gp = new FhirHttp(this.port);
		this.patient = "Patient/" + this.gp
			.post("/fhir/Patient", FhirHttp.json(new Patient().addName(new HumanName().setFamily("Notified"))))
			.resource(Patient.class)
			.getIdPart();
	}

	@AfterEach
	void stopTheReceiver() {
		if (this.receiver != null) {
			this.receiver.stop();
		}
	}

	@Test
	void aChangeMadeWhileTheReceiverIsDownIsDeliveredWhenItComesBack() throws Exception {
		int receiverPort = freePort();
		Response subscribed = this.gp.post("/fhir/Subscription",
				FhirHttp.json(subscription("Flag?patient=" + this.patient, receiverPort)));
		assertThat(subscribed.status()).as(subscribed.body()).isEqualTo(201);
		Subscription subscription = subscribed.resource(Subscription.class);
		assertThat(subscription.getStatus()).isEqualTo(Subscription.SubscriptionStatus.ACTIVE);

		String decision = "Flag/" + this.gp.post("/fhir/Flag", FhirHttp.json(Examples.cprDecisionFor(this.patient)))
			.resource(Flag.class)
			.getIdPart();
		// the first delivery fails: nothing listens yet
		Awaitility.await("a failed first delivery")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> failedAttempts(subscription.getIdPart(), decision + "/_history/1") > 0);
		this.receiver = Receiver.on(receiverPort);

		Delivery delivery = this.receiver.next(30);
		assertThat(delivery).as("delivered after the receiver came back").isNotNull();
		Bundle notification = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, delivery.body());
		assertThat(notification.getType()).isEqualTo(Bundle.BundleType.HISTORY);
		assertThat(notification.getEntryFirstRep().getFullUrl()).isEqualTo(decision + "/_history/1");
		assertThat(notification.getEntryFirstRep().getRequest().getUrl()).isEqualTo(decision);
		assertThat(notification.getEntryFirstRep().hasResource()).as("no clinical content").isFalse();
		assertThat(delivery.authorization()).isEqualTo("Bearer receiver-secret");
		assertThat(delivery.subscription()).isEqualTo("Subscription/" + subscription.getIdPart());
	}

	@Test
	void onlyMatchingChangesAreSentInTheOrderTheyWereMade() throws Exception {
		int receiverPort = freePort();
		this.receiver = Receiver.on(receiverPort);
		assertThat(this.gp
			.post("/fhir/Subscription", FhirHttp.json(subscription("Flag?patient=" + this.patient, receiverPort)))
			.status()).isEqualTo(201);
		String someoneElse = "Patient/" + this.gp
			.post("/fhir/Patient", FhirHttp.json(new Patient().addName(new HumanName().setFamily("Elsewhere"))))
			.resource(Patient.class)
			.getIdPart();

		this.gp.post("/fhir/Flag", FhirHttp.json(Examples.cprDecisionFor(someoneElse)));
		Flag flag = Examples.cprDecisionFor(this.patient);
		String decision = "Flag/" + this.gp.post("/fhir/Flag", FhirHttp.json(flag)).resource(Flag.class).getIdPart();
		flag.setId(decision);
		flag.getPeriod().setEndElement(new org.hl7.fhir.r4.model.DateTimeType("2027-02-01"));
		assertThat(this.gp.put("/fhir/" + decision, FhirHttp.json(flag)).status()).isEqualTo(200);

		assertThat(this.receiver.next(20).body()).contains(decision + "/_history/1");
		assertThat(this.receiver.next(20).body()).contains(decision + "/_history/2");
		assertThat(this.receiver.next(3)).as("nothing about someone else").isNull();
	}

	@Test
	void subscriptionsThisServerCannotHonourAreRefusedWithTheReason() {
		Subscription withPayload = subscription("Flag?patient=" + this.patient, 1);
		withPayload.getChannel().setPayload("application/fhir+json");
		Subscription chained = subscription("Flag?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018", 1);
		Subscription email = subscription("Flag?patient=" + this.patient, 1);
		email.getChannel().setType(Subscription.SubscriptionChannelType.EMAIL);
		Subscription ftp = subscription("Flag?patient=" + this.patient, 1);
		ftp.getChannel().setEndpoint("ftp://receiver.example/hook");

		assertRefused(withPayload, "payload");
		assertRefused(chained, "criteria");
		assertRefused(email, "rest-hook");
		assertRefused(ftp, "http or https");
		Subscription elsewhere = subscription("Flag?patient=" + this.patient, 1);
		elsewhere.getChannel().setEndpoint("https://receiver.invalid/hook");
		assertRefused(elsewhere, "does not resolve");
	}

	/**
	 * Deliveries of a notification tried and failed so far, while it is still
	 * undelivered.
	 */
	private int failedAttempts(String subscription, String resource) {
		Integer attempts = this.jdbc
			.queryForObject("SELECT COALESCE(MAX(ATTEMPTS), 0) FROM " + NotificationOutbox.OUTBOX
					+ " WHERE SUBSCRIPTION = ? AND RESOURCE = ? AND DELIVERED IS NULL" + " AND LAST_ERROR IS NOT NULL",
					Integer.class, subscription, resource);
		return (attempts != null) ? attempts : 0;
	}

	private void assertRefused(Subscription subscription, String reason) {
		Response response = this.gp.post("/fhir/Subscription", FhirHttp.json(subscription));
		assertThat(response.status()).as(response.body()).isEqualTo(422);
		assertThat(response.diagnostics()).contains(reason);
	}

	static Subscription subscription(String criteria, int receiverPort) {
		Subscription subscription = new Subscription();
		subscription.setStatus(Subscription.SubscriptionStatus.REQUESTED);
		subscription.setReason("Out-of-hours service: CPR decisions of our patients");
		subscription.setCriteria(criteria);
		subscription.getChannel()
			.setType(Subscription.SubscriptionChannelType.RESTHOOK)
			.setEndpoint("http://127.0.0.1:" + receiverPort + "/hook")
			.addHeader("Authorization: Bearer receiver-secret");
		return subscription;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
	}

	record Delivery(String body, String authorization, String subscription) {

	}

	/** A real HTTP receiver, as an out-of-hours service would run one. */
	static final class Receiver {

		private final HttpServer server;

		private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

		private Receiver(HttpServer server) {
			this.server = server;
		}

		static Receiver on(int port) throws IOException {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
			Receiver receiver = new Receiver(server);
			server.createContext("/hook", (exchange) -> {
				String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
				receiver.deliveries.add(new Delivery(body, exchange.getRequestHeaders().getFirst("Authorization"),
						exchange.getRequestHeaders().getFirst("X-Subscription")));
				exchange.sendResponseHeaders(204, -1);
				exchange.close();
			});
			server.start();
			return receiver;
		}

		Delivery next(int seconds) throws InterruptedException {
			return this.deliveries.poll(seconds, TimeUnit.SECONDS);
		}

		void stop() {
			this.server.stop(0);
		}

	}

}
