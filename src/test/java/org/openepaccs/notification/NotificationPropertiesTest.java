package org.openepaccs.notification;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NotificationPropertiesTest {

	@Test
	void retriesWaitTwiceAsLongEachTimeUpToTheLongestWait() {
		NotificationProperties properties = new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
				Duration.ofHours(24), Duration.ofSeconds(10), List.of(), List.of(), false);

		assertThat(properties.retryAfter(1)).isEqualTo(Duration.ofSeconds(5));
		assertThat(properties.retryAfter(2)).isEqualTo(Duration.ofSeconds(10));
		assertThat(properties.retryAfter(5)).isEqualTo(Duration.ofSeconds(80));
		assertThat(properties.retryAfter(6)).isEqualTo(Duration.ofMinutes(2));
		assertThat(properties.retryAfter(500)).isEqualTo(Duration.ofMinutes(2));
	}

	@Test
	void onlyListedEndpointsAreAllowedOnceAListIsGiven() {
		NotificationProperties open = new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
				Duration.ofHours(1), Duration.ofSeconds(10), List.of(), List.of(), false);
		NotificationProperties listed = new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
				Duration.ofHours(1), Duration.ofSeconds(10), List.of("https://ooh.example.nhs.uk/"), List.of(), false);

		assertThat(open.allows("http://10.0.0.1/admin")).isTrue();
		assertThat(listed.allows("https://ooh.example.nhs.uk/hooks/epaccs")).isTrue();
		assertThat(listed.allows("http://10.0.0.1/admin")).isFalse();
	}

	@Test
	void settingsThatCannotWorkStopTheServerStartingWithTheSettingNamed() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ZERO, Duration.ofMinutes(2), Duration.ofHours(1),
					Duration.ofSeconds(10), List.of(), List.of(), false))
			.withMessageContaining("retry-first");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ofMinutes(5), Duration.ofMinutes(2),
					Duration.ofHours(1), Duration.ofSeconds(10), List.of(), List.of(), false))
			.withMessageContaining("retry-longest");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
					Duration.ofMinutes(1), Duration.ofSeconds(10), List.of(), List.of(), false))
			.withMessageContaining("give-up-after");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
					Duration.ofHours(1), Duration.ofMinutes(5), List.of(), List.of(), false))
			.withMessageContaining("timeout");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
					Duration.ofHours(1), Duration.ofSeconds(10), List.of("ooh.example.nhs.uk"), List.of(), false))
			.withMessageContaining("allowed-endpoints");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
					Duration.ofHours(1), Duration.ofSeconds(10), List.of(), List.of("intranet.example"), false))
			.withMessageContaining("allowed-addresses");
	}

}
