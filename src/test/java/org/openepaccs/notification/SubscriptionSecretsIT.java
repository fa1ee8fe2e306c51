package org.openepaccs.notification;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.notification.NotificationIT.Delivery;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Subscription's headers are the receiver's secrets, and a subscription is no way
 * around a person's refusal to share: the system of a GP practice (Y99901) sees its
 * webhook secret masked wherever a Subscription is shown, keeps it through an update,
 * cannot subscribe to someone hidden from it, and hears nothing of them.
 */
@EpaccsIntegrationTest
class SubscriptionSecretsIT {

	static final String TEST_IDENTIFIER = "https://fhir.openepaccs.org/Id/subscription-secrets-it";

	@LocalServerPort
	int port;

	FhirHttp gp;

	FhirHttp admin;

	FhirHttp nurse;

	int receiverPort;

	HttpServer receiver;

	List<Delivery> deliveries = new CopyOnWriteArrayList<>();

	String secret;

	@BeforeEach
	void aReceiver() throws IOException {
		this.gp = new FhirHttp(this.port); // system integration, organisation Y99901
		this.admin = FhirHttp.as(this.port, "admin");
		this.nurse = FhirHttp.as(this.port, "community-nurse"); // organisation Y99902
		this.secret = "Bearer s3cret-" + System.nanoTime();
		this.receiverPort = NotificationIT.freePort();
		this.receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", this.receiverPort), 0);
		this.receiver.createContext("/hook", (exchange) -> {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			this.deliveries.add(new Delivery(body, exchange.getRequestHeaders().getFirst("Authorization"),
					exchange.getRequestHeaders().getFirst("X-Subscription")));
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		this.receiver.start();
	}

	@AfterEach
	void stopTheReceiver() {
		this.receiver.stop(0);
	}

	@Test
	void headerValuesAreShownMaskedToEveryoneButTheAdminRole() {
		Subscription subscription = subscription("Flag?patient=" + patient(this.gp, "Masked"));
		subscription.getChannel().addHeader("X-Api-Key: key-" + System.nanoTime());
		Response created = this.gp.post("/fhir/Subscription", FhirHttp.json(subscription));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		assertMasked(created.body());
		String id = created.resource(Subscription.class).getIdPart();
		String key = subscription.getChannel().getHeader().get(1).getValue();

		for (String path : List.of("/fhir/Subscription/" + id, "/fhir/Subscription/" + id + "/_history/1",
				"/fhir/Subscription/" + id + "?_format=xml", "/fhir/Subscription?_id=" + id,
				"/fhir/Subscription?status=active&_count=1000", "/fhir/Subscription/" + id + "/_history",
				"/fhir/Subscription/_history?_count=1000")) {
			Response shown = this.gp.get(path);
			assertThat(shown.status()).as(path + ": " + shown.body()).isEqualTo(200);
			assertMasked(shown.body());
			assertThat(shown.body()).as(path).doesNotContain(key.substring("X-Api-Key: ".length()));
			assertThat(shown.body()).as(path).contains("X-Api-Key: ***");
		}
		for (String type : List.of("batch", "transaction")) {
			Response bundle = this.gp.post("/fhir",
					"{\"resourceType\":\"Bundle\",\"type\":\"" + type
							+ "\",\"entry\":[{\"request\":{\"method\":\"GET\",\"url\":\"Subscription/" + id + "\"}},"
							+ "{\"request\":{\"method\":\"GET\",\"url\":\"Subscription?_id=" + id + "\"}}]}");
			assertThat(bundle.status()).as(bundle.body()).isEqualTo(200);
			assertMasked(bundle.body());
			assertThat(bundle.body()).contains("Authorization: ***");
		}
		assertThat(FhirHttp.as(this.port, "spoc-hub").get("/fhir/Subscription/" + id).body()).contains("***")
			.doesNotContain(this.secret);

		Response asAdmin = this.admin.get("/fhir/Subscription/" + id);
		assertThat(asAdmin.status()).isEqualTo(200);
		assertThat(asAdmin.resource(Subscription.class).getChannel().getHeader())
			.extracting((header) -> header.getValue())
			.containsExactly("Authorization: " + this.secret, key);
		assertThat(this.admin.get("/fhir/Subscription/" + id + "/_history").body()).contains(this.secret);
	}

	@Test
	void anUpdateThatSendsTheMaskedValueBackKeepsTheStoredSecret() {
		String patient = patient(this.gp, "Kept");
		Response created = this.gp.post("/fhir/Subscription", FhirHttp.json(subscription("Flag?patient=" + patient)));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String id = "/fhir/Subscription/" + created.resource(Subscription.class).getIdPart();

		Subscription shown = this.gp.get(id).resource(Subscription.class);
		assertThat(shown.getChannel().getHeader().get(0).getValue()).isEqualTo("Authorization: ***");
		shown.setReason("Out-of-hours service: CPR decisions, reviewed");
		Response updated = this.gp.put(id, FhirHttp.json(shown));
		assertThat(updated.status()).as(updated.body()).isEqualTo(200);
		assertMasked(updated.body());

		Subscription stored = this.admin.get(id).resource(Subscription.class);
		assertThat(stored.getReason()).isEqualTo("Out-of-hours service: CPR decisions, reviewed");
		assertThat(stored.getChannel().getHeader().get(0).getValue()).isEqualTo("Authorization: " + this.secret);
		String decision = "Flag/" + this.gp.post("/fhir/Flag", FhirHttp.json(Examples.cprDecisionFor(patient)))
			.resource(Flag.class)
			.getIdPart();
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.deliveries).anySatisfy((delivery) -> {
				assertThat(delivery.body()).contains(decision + "/_history/1");
				assertThat(delivery.authorization()).as("the stored secret, not the mask").isEqualTo(this.secret);
			}));
	}

	@Test
	void aMaskedValueOnACreateIsRefused() {
		Subscription masked = subscription("Flag?patient=" + patient(this.gp, "MaskedCreate"));
		masked.getChannel().getHeader().get(0).setValue("Authorization: ***");

		Response response = this.gp.post("/fhir/Subscription", FhirHttp.json(masked));

		assertThat(response.status()).as(response.body()).isEqualTo(422);
		assertThat(response.diagnostics()).contains("channel.header[0]", "masked");
	}

	@Test
	void aHeaderThatWouldSplitTheRequestIsRefusedWithoutRepeatingIt() {
		String patient = patient(this.gp, "Injected");
		Subscription injected = subscription("Flag?patient=" + patient);
		injected.getChannel().getHeader().get(0).setValue("Authorization: " + this.secret + "\r\nX-Injected: yes");

		Response created = this.gp.post("/fhir/Subscription", FhirHttp.json(injected));

		assertThat(created.status()).as(created.body()).isEqualTo(422);
		assertThat(created.diagnostics()).contains("channel.header[0]", "line break")
			.doesNotContain(this.secret)
			.doesNotContain("X-Injected");

		Response valid = this.gp.post("/fhir/Subscription", FhirHttp.json(subscription("Flag?patient=" + patient)));
		Subscription update = valid.resource(Subscription.class);
		update.getChannel().addHeader("Not a header");
		Response updated = this.gp.put("/fhir/Subscription/" + update.getIdPart(), FhirHttp.json(update));
		assertThat(updated.status()).as(updated.body()).isEqualTo(422);
		assertThat(updated.diagnostics()).contains("channel.header[1]", "Name: value");
	}

	@Test
	void aPatchCannotCopyTheSecretWhereItWouldBeShown() {
		Response created = this.gp.post("/fhir/Subscription",
				FhirHttp.json(subscription("Flag?patient=" + patient(this.gp, "Patched"))));
		String id = "/fhir/Subscription/" + created.resource(Subscription.class).getIdPart();

		Response patched = this.gp.send("PATCH", id,
				"[{\"op\":\"copy\",\"from\":\"/channel/header/0\",\"path\":\"/reason\"}]", "Content-Type",
				"application/json-patch+json");

		assertThat(patched.status()).as(patched.body()).isEqualTo(422);
		assertThat(patched.diagnostics()).contains("channel.header").doesNotContain(this.secret);
		assertThat(this.gp.get(id).body()).doesNotContain(this.secret);
	}

	@Test
	void aSubscriptionOnAHiddenPersonIsRefusedAsOneOnSomeoneWhoDoesNotExist() {
		String hidden = hiddenFromTheGp("Hidden").substring("Patient/".length());
		String missing = "no-such-person-" + System.nanoTime();
		String visible = patient(this.gp, "Visible").substring("Patient/".length());

		for (String criteria : List.of("Flag?patient=Patient/%s", "Flag?subject=%s", "Patient?_id=%s",
				"CarePlan?subject:Patient=%s", "CarePlan?subject:Patient=Patient/%s")) {
			Response onHidden = this.gp.post("/fhir/Subscription",
					FhirHttp.json(subscription(criteria.formatted(hidden))));
			Response onMissing = this.gp.post("/fhir/Subscription",
					FhirHttp.json(subscription(criteria.formatted(missing))));
			assertThat(onHidden.status()).as(criteria + ": " + onHidden.body()).isEqualTo(422);
			assertThat(onMissing.status()).as(criteria + ": " + onMissing.body()).isEqualTo(422);
			assertThat(onHidden.diagnostics()).as(criteria)
				.contains("criteria names a patient not known here")
				.isEqualTo(onMissing.diagnostics());
			Response onVisible = this.gp.post("/fhir/Subscription",
					FhirHttp.json(subscription(criteria.formatted(visible))));
			assertThat(onVisible.status()).as(criteria + ": " + onVisible.body()).isEqualTo(201);
		}
		Response alongsideSomeoneVisible = this.gp.post("/fhir/Subscription",
				FhirHttp.json(subscription("Flag?patient=" + visible + "," + hidden)));
		assertThat(alongsideSomeoneVisible.status()).isEqualTo(422);
		assertThat(alongsideSomeoneVisible.diagnostics()).contains("criteria names a patient not known here");
		Response breakingTheGlass = this.gp.post("/fhir/Subscription",
				FhirHttp.json(subscription("Flag?patient=Patient/" + hidden)), "X-Break-Glass", "standing order");
		assertThat(breakingTheGlass.status()).as("no subscription by breaking the glass").isIn(403, 422);
	}

	@Test
	void noNotificationAboutAHiddenPersonReachesAnotherOrganisation() {
		String run = "run-" + System.nanoTime();
		Response subscribed = this.gp.post("/fhir/Subscription",
				FhirHttp.json(subscription("Flag?identifier=" + TEST_IDENTIFIER + "|" + run)));
		assertThat(subscribed.status()).as(subscribed.body()).isEqualTo(201);
		String hidden = hiddenFromTheGp("HiddenNotified");
		String ownRefusal = patient(this.gp, "RefusedToOthers");
		refusal(this.gp, ownRefusal, "Y99901");
		String visible = patient(this.gp, "VisibleNotified");

		String aboutHidden = flag(this.nurse, hidden, run);
		String aboutOwnRefusal = flag(this.gp, ownRefusal, run);
		String aboutVisible = flag(this.gp, visible, run);

		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.deliveries).extracting(Delivery::body)
				.anySatisfy((body) -> assertThat(body).contains(aboutVisible))
				.anySatisfy((body) -> assertThat(body)
					.as("a refusal recorded by the subscriber's own organisation hides nobody from it")
					.contains(aboutOwnRefusal)));
		assertThat(this.deliveries).extracting(Delivery::body)
			.noneSatisfy((body) -> assertThat(body).contains(aboutHidden));
	}

	/** A person the nurse's organisation (Y99902) recorded a refusal for. */
	private String hiddenFromTheGp(String family) {
		String patient = patient(this.nurse, family);
		refusal(this.nurse, patient, "Y99902");
		assertThat(this.gp.get("/fhir/" + patient).status()).as("hidden from the GP").isIn(403, 404);
		return patient;
	}

	private void refusal(FhirHttp writer, String patient, String custodian) {
		Organization organisation = new Organization().setName("Custodian " + custodian);
		organisation.addIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue(custodian);
		String reference = created(this.gp.post("/fhir/Organization", FhirHttp.json(organisation)));
		created(writer.post("/fhir/Consent", "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{"
				+ "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":"
				+ "\"patient-privacy\"}]},\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IDSCL\"}]}],\"patient\":{"
				+ "\"reference\":\"" + patient + "\"},\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{"
				+ "\"reference\":\"" + patient + "\"}],\"organization\":[{\"reference\":\"" + reference
				+ "\"}],\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\"deny\"}}"));
	}

	private static String flag(FhirHttp writer, String patient, String run) {
		Flag flag = Examples.cprDecisionFor(patient);
		flag.addIdentifier().setSystem(TEST_IDENTIFIER).setValue(run);
		return "Flag/" + created(writer.post("/fhir/Flag", FhirHttp.json(flag))).substring("Flag/".length());
	}

	private static String patient(FhirHttp writer, String family) {
		return created(
				writer.post("/fhir/Patient", FhirHttp.json(new Patient().addName(new HumanName().setFamily(family)))));
	}

	private static String created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return response.header("Location").replaceAll(".*/fhir/([A-Za-z]+/[^/]+)/_history/.*", "$1");
	}

	private Subscription subscription(String criteria) {
		Subscription subscription = NotificationIT.subscription(criteria, this.receiverPort);
		subscription.getChannel().getHeader().get(0).setValue("Authorization: " + this.secret);
		return subscription;
	}

	private void assertMasked(String body) {
		assertThat(body).doesNotContain(this.secret).doesNotContain("s3cret").contains("Authorization: ***");
	}

}
