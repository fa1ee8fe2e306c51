package org.openepaccs.notification;

import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.Examples;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A notification not yet delivered when the server stops is delivered by the server that
 * starts next on the same database: the outbox is in the database, not in memory.
 */
class NotificationRestartIT {

	/**
	 * The receiver listens on loopback over plain http, which the server refuses unless
	 * configured.
	 */
	private static final String[] LOOPBACK_RECEIVER = { "--epaccs.notifications.allow-http=true",
			"--epaccs.notifications.allowed-addresses=127.0.0.1/32" };

	@Test
	void aNotificationPendingAtShutdownIsDeliveredAfterTheRestart() throws Exception {
		String database = TestDatabase.server().createDatabase();
		int receiverPort = NotificationIT.freePort();
		String decision;
		try (RunningServer first = RunningServer.startOnPostgres(database, LOOPBACK_RECEIVER)) {
			FhirHttp gp = first.http();
			String patient = "Patient/" + gp
				.post("/fhir/Patient", FhirHttp.json(new Patient().addName(new HumanName().setFamily("Restarted"))))
				.resource(Patient.class)
				.getIdPart();
			assertThat(gp
				.post("/fhir/Subscription",
						FhirHttp.json(NotificationIT.subscription("Flag?patient=" + patient, receiverPort)))
				.status()).isEqualTo(201);
			decision = "Flag/" + gp.post("/fhir/Flag", FhirHttp.json(Examples.cprDecisionFor(patient)))
				.resource(Flag.class)
				.getIdPart();
		}
		NotificationIT.Receiver receiver = NotificationIT.Receiver.on(receiverPort);
		try (RunningServer second = RunningServer.startOnPostgres(database, LOOPBACK_RECEIVER)) {
			NotificationIT.Delivery delivery = receiver.next(60);

			assertThat(delivery).as("delivered by the restarted server").isNotNull();
			assertThat(delivery.body()).contains(decision + "/_history/1");
		}
		finally {
			receiver.stop();
		}
	}

}
