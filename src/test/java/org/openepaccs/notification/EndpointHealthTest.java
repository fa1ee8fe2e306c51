package org.openepaccs.notification;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A receiver down for a day has hundreds of notifications given up: the log says so once
 * when it starts and counts them when the receiver recovers.
 */
@ExtendWith(OutputCaptureExtension.class)
class EndpointHealthTest {

	private final EndpointHealth health = new EndpointHealth(new NotificationProperties(Duration.ofSeconds(5),
			Duration.ofMinutes(2), Duration.ofHours(24), Duration.ofSeconds(10), List.of(), List.of(), false));

	@Test
	void notificationsGivenUpAreLoggedOnceAndCountedAtRecovery(CapturedOutput log) {
		String receiver = "https://receiver.example.org:443";
		Instant now = Instant.parse("2026-12-06T10:00:00Z");
		for (int i = 0; i < 300; i++) {
			this.health.failed(receiver, "HTTP 5xx", now.plusSeconds(i));
			this.health.gaveUp(receiver, "HTTP 5xx");
		}
		this.health.delivered(receiver);

		assertThat(log.getAll().lines().filter((line) -> line.contains(receiver + " is failing (HTTP 5xx)")))
			.hasSize(1);
		assertThat(log.getAll().lines().filter((line) -> line.contains(receiver + " are being given up (HTTP 5xx)")))
			.hasSize(1);
		assertThat(log.getAll()
			.lines()
			.filter((line) -> line.contains(receiver + " has recovered after 300 failed attempts; 300 notifications")))
			.hasSize(1);
	}

	@Test
	void aNewFailingSpellIsLoggedAgain(CapturedOutput log) {
		String receiver = "https://receiver.example.org:443";
		Instant now = Instant.parse("2026-12-06T10:00:00Z");
		this.health.failed(receiver, "HTTP 5xx", now);
		this.health.gaveUp(receiver, "HTTP 5xx");
		this.health.delivered(receiver);
		this.health.failed(receiver, "timeout", now.plusSeconds(60));
		this.health.gaveUp(receiver, "timeout");

		assertThat(log.getAll().lines().filter((line) -> line.contains(" are being given up"))).hasSize(2);
		assertThat(log.getAll()).contains(receiver + " is failing (timeout)");
	}

}
