package org.openepaccs.notification;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NotificationPropertiesTest {

	@Test
	void retriesWaitTwiceAsLongEachTimeUpToTheLongestWait() {
		NotificationProperties properties = new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
				Duration.ofHours(24), Duration.ofSeconds(10));

		assertThat(properties.retryAfter(1)).isEqualTo(Duration.ofSeconds(5));
		assertThat(properties.retryAfter(2)).isEqualTo(Duration.ofSeconds(10));
		assertThat(properties.retryAfter(5)).isEqualTo(Duration.ofSeconds(80));
		assertThat(properties.retryAfter(6)).isEqualTo(Duration.ofMinutes(2));
		assertThat(properties.retryAfter(500)).isEqualTo(Duration.ofMinutes(2));
	}

	@Test
	void settingsThatCannotWorkStopTheServerStartingWithTheSettingNamed() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ZERO, Duration.ofMinutes(2), Duration.ofHours(1),
					Duration.ofSeconds(10)))
			.withMessageContaining("retry-first");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ofMinutes(5), Duration.ofMinutes(2),
					Duration.ofHours(1), Duration.ofSeconds(10)))
			.withMessageContaining("retry-longest");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
					Duration.ofMinutes(1), Duration.ofSeconds(10)))
			.withMessageContaining("give-up-after");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NotificationProperties(Duration.ofSeconds(5), Duration.ofMinutes(2),
					Duration.ofHours(1), Duration.ofMinutes(5)))
			.withMessageContaining("timeout");
	}

}
