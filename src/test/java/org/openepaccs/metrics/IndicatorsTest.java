package org.openepaccs.metrics;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IndicatorsTest {

	private static final ReportingPeriod Q2 = new ReportingPeriod(LocalDate.of(2025, 4, 1), LocalDate.of(2025, 6, 30));

	@Test
	void theLastNinetyDaysOfLifeAreTheDayOfDeathAndTheEightyNineBefore() {
		PersonFacts person = diedOnRegister(LocalDate.of(2025, 5, 10));
		// 10 May less 89 days is 10 February (28 + 31 + 30 + 10 = 89 days later)
		person.emergencyAdmissions
			.addAll(List.of(LocalDate.of(2025, 2, 10), LocalDate.of(2025, 4, 1), LocalDate.of(2025, 5, 10)));
		assertThat(Indicators.member("emergency-admissions", person, Q2).inNumerator()).isTrue();

		person.emergencyAdmissions.set(0, LocalDate.of(2025, 2, 9));
		assertThat(Indicators.member("emergency-admissions", person, Q2).inNumerator()).isFalse();
	}

	@Test
	void someoneTakenOffTheRegisterBeforeTheyDiedIsNotADeathOnTheRegister() {
		PersonFacts person = new PersonFacts();
		person.deathDate = LocalDate.of(2025, 5, 10);
		person.entries.add(new PersonFacts.RegisterEntry(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 6, 1), false,
				Stratifier.NOT_RECORDED, "A1"));

		assertThat(Indicators.member("died-on-register", person, Q2).inNumerator()).isFalse();
		assertThat(Indicators.member("usual-place-of-residence", person, Q2)).isNull();
	}

	@Test
	void daysOnTheRegisterRunFromTheEntryToTheDayOfDeath() {
		PersonFacts person = diedOnRegister(LocalDate.of(2025, 5, 10));

		// 15 January to 10 May 2025: 16 + 28 + 31 + 30 + 10
		assertThat(Indicators.member("died-on-register", person, Q2).days()).isEqualTo(115);
	}

	@Test
	void theRegisterAtTheEndOfThePeriodLeavesOutTheDeadAndTheRemoved() {
		PersonFacts died = diedOnRegister(LocalDate.of(2025, 5, 10));
		PersonFacts removed = new PersonFacts();
		removed.entries.add(new PersonFacts.RegisterEntry(LocalDate.of(2025, 1, 15), LocalDate.of(2025, 6, 30), false,
				Stratifier.NOT_RECORDED, "A1"));
		PersonFacts on = new PersonFacts();
		on.entries.add(new PersonFacts.RegisterEntry(LocalDate.of(2025, 6, 30), null, true, "cancer", "A1"));

		List<Tabulation> counted = Indicators.count(Indicator.REGISTER_SIZE, List.of(died, removed, on), Q2, Set.of());

		assertThat(counted.get(0).total.cell(Tabulation.INITIAL_POPULATION).raw).isEqualTo(1);
		// added in the quarter: the one who joined on its last day
		assertThat(counted.get(1).total.cell(Tabulation.INITIAL_POPULATION).raw).isEqualTo(1);
	}

	private static PersonFacts diedOnRegister(LocalDate death) {
		PersonFacts person = new PersonFacts();
		person.deathDate = death;
		person.entries
			.add(new PersonFacts.RegisterEntry(LocalDate.of(2025, 1, 15), death, false, Stratifier.NOT_RECORDED, "A1"));
		return person;
	}

}
