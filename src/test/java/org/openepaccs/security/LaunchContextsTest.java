package org.openepaccs.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LaunchContextsTest {

	private final MovableClock clock = new MovableClock();

	private final LaunchContexts launches = new LaunchContexts(Duration.ofMinutes(5), this.clock);

	@Test
	void aLaunchIdIsRedeemedOnceAndItsPatientTakenOnceBySameClientAndUser() {
		String id = this.launches.issue("p1", null);

		assertThat(this.launches.redeem(id, "app", "ooh.doctor")).isEmpty();
		assertThat(this.launches.redeem(id, "app", "ooh.doctor")).contains(LaunchContexts.Problem.USED);
		assertThat(this.launches.patientFor(id, "other-app", "ooh.doctor")).isEmpty();
		assertThat(this.launches.patientFor(id, "app", "someone.else")).isEmpty();
		assertThat(this.launches.patientFor(id, "app", "ooh.doctor")).contains("p1");
		assertThat(this.launches.patientFor(id, "app", "ooh.doctor")).isEmpty();
		assertThat(this.launches.check(id, "ooh.doctor")).contains(LaunchContexts.Problem.USED);
	}

	@Test
	void anExpiredLaunchIdIsUnknown() {
		String id = this.launches.issue("p1", null);
		this.clock.now = this.clock.now.plus(Duration.ofMinutes(5)).plusSeconds(1);

		assertThat(this.launches.redeem(id, "app", "ooh.doctor")).contains(LaunchContexts.Problem.UNKNOWN);
	}

	@Test
	void aRedeemedLaunchWhoseCodeWasNotExchangedInTimeGivesNoPatient() {
		String id = this.launches.issue("p1", null);
		this.launches.redeem(id, "app", "ooh.doctor");
		this.clock.now = this.clock.now.plus(Duration.ofMinutes(11));

		assertThat(this.launches.patientFor(id, "app", "ooh.doctor")).isEmpty();
	}

	@Test
	void aPickersLaunchIdIsForItsUserOnly() {
		String id = this.launches.issue("p1", "gp.doctor");

		assertThat(this.launches.redeem(id, "app", "ooh.doctor")).contains(LaunchContexts.Problem.OTHER_USER);
		assertThat(this.launches.redeem(id, "app", "gp.doctor")).isEmpty();
	}

	@Test
	void launchIdsAreOpaqueAndUnrelated() {
		String first = this.launches.issue("p1", null);
		String second = this.launches.issue("p1", null);

		assertThat(first).isNotEqualTo(second).doesNotContain("p1").matches("[A-Za-z0-9_-]{43}");
	}

	private static final class MovableClock extends Clock {

		Instant now = Instant.parse("2026-12-01T03:00:00Z");

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
