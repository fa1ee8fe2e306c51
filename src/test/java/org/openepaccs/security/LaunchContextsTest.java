package org.openepaccs.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LaunchContextsTest {

	private final MovableClock clock = new MovableClock();

	private final JdbcDataSource database = database();

	private final LaunchContexts launches = new LaunchContexts(this.database, Duration.ofMinutes(5), this.clock);

	@Test
	void aLaunchIdIsRedeemedOnceAndItsPatientTakenOnceBySameClientAndUser() {
		String id = this.launches.issue("p1", null, "ehr");

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
		String id = this.launches.issue("p1", null, "ehr");
		this.clock.now = this.clock.now.plus(Duration.ofMinutes(5)).plusSeconds(1);

		assertThat(this.launches.redeem(id, "app", "ooh.doctor")).contains(LaunchContexts.Problem.UNKNOWN);
	}

	@Test
	void aRedeemedLaunchWhoseCodeWasNotExchangedInTimeGivesNoPatient() {
		String id = this.launches.issue("p1", null, "ehr");
		this.launches.redeem(id, "app", "ooh.doctor");
		this.clock.now = this.clock.now.plus(Duration.ofMinutes(11));

		assertThat(this.launches.patientFor(id, "app", "ooh.doctor")).isEmpty();
	}

	@Test
	void aPickersLaunchIdIsForItsUserOnly() {
		String id = this.launches.issue("p1", "gp.doctor", "gp.doctor");

		assertThat(this.launches.redeem(id, "app", "ooh.doctor")).contains(LaunchContexts.Problem.OTHER_USER);
		assertThat(this.launches.redeem(id, "app", "gp.doctor")).isEmpty();
	}

	@Test
	void launchIdsAreOpaqueAndUnrelated() {
		String first = this.launches.issue("p1", null, "ehr");
		String second = this.launches.issue("p1", null, "ehr");

		assertThat(first).isNotEqualTo(second).doesNotContain("p1").matches("[A-Za-z0-9_-]{43}");
	}

	@Test
	void aLaunchStartedOnOneReplicaIsRedeemedOnAnotherAndOnlyOnce() {
		LaunchContexts otherReplica = new LaunchContexts(this.database, Duration.ofMinutes(5), this.clock);
		String id = this.launches.issue("p1", null, "ehr");

		LaunchContexts.Taken taken = otherReplica.redeemAndTake(id, "viewer", "ooh.doctor");
		assertThat(taken.patient()).isEqualTo("p1");
		assertThat(this.launches.redeemAndTake(id, "viewer", "ooh.doctor").problem())
			.isEqualTo(LaunchContexts.Problem.USED);
		assertThat(otherReplica.redeemAndTake("not-a-launch", "viewer", "ooh.doctor").problem())
			.isEqualTo(LaunchContexts.Problem.UNKNOWN);
	}

	@Test
	void theDatabaseHoldsNoLaunchIdThatCouldBeUsed() {
		String id = this.launches.issue("p1", null, "ehr");

		String stored = new JdbcTemplate(this.database).queryForObject("SELECT ID_SHA256 FROM EPACCS_LAUNCH_CONTEXT",
				String.class);
		assertThat(stored).isNotEqualTo(id).matches("[0-9a-f]{64}");
		assertThat(this.launches.redeemAndTake(stored, "viewer", "ooh.doctor").problem())
			.isEqualTo(LaunchContexts.Problem.UNKNOWN);
	}

	@Test
	void oneStarterCannotKeepOthersFromStartingLaunches() {
		String first = this.launches.issue("p0", null, "greedy-ehr");
		for (int i = 1; i < 1_000; i++) {
			this.launches.issue("p" + i, null, "greedy-ehr");
		}

		assertThatThrownBy(() -> this.launches.issue("p", null, "greedy-ehr"))
			.isInstanceOf(LaunchContexts.TooManyWaiting.class)
			.hasMessageContaining("waiting to be used");
		assertThat(this.launches.issue("p", null, "other-ehr")).isNotBlank();
		// a launch used is no longer waiting
		assertThat(this.launches.redeemAndTake(first, "viewer", "ooh.doctor").patient()).isEqualTo("p0");
		assertThat(this.launches.issue("p", null, "greedy-ehr")).isNotBlank();
		assertThatThrownBy(() -> this.launches.issue("p", null, "greedy-ehr"))
			.isInstanceOf(LaunchContexts.TooManyWaiting.class);
		// until they expire
		this.clock.now = this.clock.now.plus(Duration.ofMinutes(6));
		assertThat(this.launches.issue("p", null, "greedy-ehr")).isNotBlank();
	}

	/** An in-memory database with the table as the server's migration makes it. */
	private static JdbcDataSource database() {
		JdbcDataSource database = new JdbcDataSource();
		database.setURL("jdbc:h2:mem:launch-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		try {
			String script = Files
				.readString(Path.of("src", "main", "resources", "db", "epaccs", "V3__launch_contexts.sql"))
				.replaceAll("(?m)^--.*$", "");
			for (String statement : script.split(";")) {
				if (!statement.isBlank()) {
					new JdbcTemplate(database).execute(statement);
				}
			}
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		return database;
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
