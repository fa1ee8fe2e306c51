package org.openepaccs.metrics;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who each indicator counts, from the people's facts: pure, so that its rules are tested
 * without a database. People on the register are counted at the end of the period, their
 * age too; deaths by the day of death in England, age at death.
 */
final class Indicators {

	/**
	 * Died at home, in a nursing home or in a residential home: the usual place of
	 * residence.
	 */
	static final Set<String> USUAL_PLACE_OF_RESIDENCE = Set.of("876879006", "876884000", "1325731000000106");

	/** The last 90 days of life: the day of death and the 89 before it. */
	static final int LAST_DAYS_OF_LIFE = 90;

	static final int EMERGENCY_ADMISSIONS = 3;

	private Indicators() {
	}

	/**
	 * The groups of the indicator, counted: each person once for all the groups, their
	 * strata worked out once for each register entry and day they are counted on.
	 * @param practices the ODS codes of the practices asked for, or empty for everyone
	 */
	static List<Tabulation> count(Indicator indicator, Collection<PersonFacts> people, ReportingPeriod period,
			Set<String> practices) {
		Map<Stratifier, List<String>> strataValues = strataValues(people, practices);
		List<Tabulation> tables = new ArrayList<>();
		for (String group : indicator.groups()) {
			tables.add(new Tabulation(group, indicator.populations(), strataValues));
		}
		for (PersonFacts person : people) {
			Counted counted = new Counted(person, period);
			for (Tabulation table : tables) {
				Tabulation.Member member = counted.in(table.group);
				if (member != null
						&& (practices.isEmpty() || practices.contains(member.strata().get(Stratifier.GP_PRACTICE)))) {
					table.count(member);
				}
			}
		}
		return tables;
	}

	/** The person as counted in the group, or null when the group does not count them. */
	static Tabulation.Member member(String group, PersonFacts person, ReportingPeriod period) {
		return new Counted(person, period).in(group);
	}

	/**
	 * One person in one period: what every group asks of them (the entry open at the
	 * period's end, the one open at death) found once, and their strata kept for the
	 * entry and day last counted on, which most groups share.
	 */
	private static final class Counted {

		private final PersonFacts person;

		private final ReportingPeriod period;

		private final LocalDate end;

		private final PersonFacts.RegisterEntry atEnd;

		private final LocalDate death;

		private final boolean diedInPeriod;

		private final PersonFacts.RegisterEntry atDeath;

		private PersonFacts.RegisterEntry strataEntry;

		private LocalDate strataDay;

		private Map<Stratifier, String> strata;

		Counted(PersonFacts person, ReportingPeriod period) {
			this.person = person;
			this.period = period;
			this.end = period.end();
			this.atEnd = person.onRegisterAtEndOf(this.end);
			this.death = person.deathDate;
			this.diedInPeriod = period.contains(this.death);
			this.atDeath = this.diedInPeriod ? person.entryOn(this.death) : null;
		}

		Tabulation.Member in(String group) {
			PersonFacts person = this.person;
			return switch (group) {
				case "on-register" -> (this.atEnd != null) ? of(this.atEnd, this.end, false, null) : null;
				case "added-to-register" -> addedInPeriod();
				case "died-on-register" ->
					this.diedInPeriod
							? of((this.atDeath != null) ? this.atDeath : latest(person), this.death,
									this.atDeath != null,
									(this.atDeath != null)
											? (int) ChronoUnit.DAYS.between(this.atDeath.start(), this.death) : null)
							: null;
				case "advance-care-plan" -> onRegister(person.advanceCarePlan);
				case "preferred-place-of-death-recorded" -> onRegister(person.preferredPlaceOfDeathRecorded);
				case "cpr-decision" -> onRegister(person.cprDecision);
				case "anticipatory-medicines" -> onRegister(person.anticipatoryMedicines);
				case "key-worker" -> onRegister(this.atEnd != null && this.atEnd.keyWorker());
				case "plan-reviewed" -> onRegister(person.advanceCarePlan && person.planReviewDate != null
						&& !person.planReviewDate.isBefore(this.end));
				case "preferred-place-achieved" -> (this.diedInPeriod && person.preferredPlaceAchieved != null)
						? of((this.atDeath != null) ? this.atDeath : latest(person), this.death,
								person.preferredPlaceAchieved, null)
						: null;
				case "usual-place-of-residence" -> (this.atDeath != null) ? of(this.atDeath, this.death,
						person.placeOfDeath != null && USUAL_PLACE_OF_RESIDENCE.contains(person.placeOfDeath), null)
						: null;
				case "cyp-advance-care-plan" ->
					(this.atEnd != null && Stratifier.childOrYoungPerson(person.birthDate, this.end))
							? of(this.atEnd, this.end, person.cypAdvanceCarePlan, null) : null;
				case "emergency-admissions" -> (this.atDeath != null) ? of(this.atDeath, this.death,
						emergencyAdmissionsBefore(person, this.death) >= EMERGENCY_ADMISSIONS, null) : null;
				default -> throw new IllegalArgumentException("no group " + group);
			};
		}

		private Tabulation.Member addedInPeriod() {
			for (PersonFacts.RegisterEntry entry : this.person.entries) {
				if (this.period.contains(entry.start())) {
					return of(entry, this.end, false, null);
				}
			}
			return null;
		}

		private Tabulation.Member onRegister(boolean inNumerator) {
			return (this.atEnd != null) ? of(this.atEnd, this.end, inNumerator, null) : null;
		}

		private Tabulation.Member of(PersonFacts.RegisterEntry entry, LocalDate on, boolean inNumerator, Integer days) {
			if (this.strata == null || entry != this.strataEntry || !on.equals(this.strataDay)) {
				this.strata = strataOf(this.person, entry, on);
				this.strataEntry = entry;
				this.strataDay = on;
			}
			return new Tabulation.Member(this.strata, inNumerator, days);
		}

	}

	static long emergencyAdmissionsBefore(PersonFacts person, LocalDate death) {
		LocalDate from = death.minusDays(LAST_DAYS_OF_LIFE - 1);
		return person.emergencyAdmissions.stream().filter((day) -> !day.isBefore(from) && !day.isAfter(death)).count();
	}

	private static PersonFacts.RegisterEntry latest(PersonFacts person) {
		PersonFacts.RegisterEntry latest = null;
		for (PersonFacts.RegisterEntry entry : person.entries) {
			if (entry.start() != null && (latest == null || entry.start().isAfter(latest.start()))) {
				latest = entry;
			}
		}
		return latest;
	}

	/**
	 * Shared by the members of one person counted on the same entry and day: unchanging.
	 */
	private static Map<Stratifier, String> strataOf(PersonFacts person, PersonFacts.RegisterEntry entry, LocalDate on) {
		Map<Stratifier, String> strata = new EnumMap<>(Stratifier.class);
		strata.put(Stratifier.AGE_BAND, Stratifier.ageBand(person.birthDate, on));
		strata.put(Stratifier.SEX, Stratifier.sex(person.gender));
		strata.put(Stratifier.ETHNIC_CATEGORY_GROUP, Stratifier.ethnicCategoryGroup(person.ethnicCategory));
		strata.put(Stratifier.IMD_QUINTILE, Stratifier.imdQuintile(person.deprivationDecile));
		strata.put(Stratifier.DIAGNOSIS_GROUP, (entry != null) ? entry.diagnosisGroup() : Stratifier.NOT_RECORDED);
		String practice = person.practiceOf(entry);
		strata.put(Stratifier.GP_PRACTICE, (practice != null) ? practice : Stratifier.NOT_RECORDED);
		return Collections.unmodifiableMap(strata);
	}

	/**
	 * Every stratum of every stratifier, shown even when nobody is in it, so that the
	 * strata are the same in every report; practices are those asked for, or those the
	 * people counted are registered with.
	 */
	private static Map<Stratifier, List<String>> strataValues(Collection<PersonFacts> people, Set<String> practices) {
		Map<Stratifier, List<String>> values = new EnumMap<>(Stratifier.class);
		values.put(Stratifier.AGE_BAND, Stratifier.AGE_BANDS);
		values.put(Stratifier.SEX, Stratifier.SEXES);
		values.put(Stratifier.ETHNIC_CATEGORY_GROUP, Stratifier.ETHNIC_GROUPS);
		values.put(Stratifier.IMD_QUINTILE, Stratifier.IMD_QUINTILES);
		values.put(Stratifier.DIAGNOSIS_GROUP, Stratifier.DIAGNOSIS_GROUPS);
		if (practices.isEmpty()) {
			// gathered unordered, then sorted once: a few practices, many people
			Set<String> present = new HashSet<>();
			people.forEach((person) -> person.entries.forEach((entry) -> {
				String practice = person.practiceOf(entry);
				present.add((practice != null) ? practice : Stratifier.NOT_RECORDED);
			}));
			values.put(Stratifier.GP_PRACTICE, List.copyOf(new TreeSet<>(present)));
		}
		else {
			values.put(Stratifier.GP_PRACTICE, new ArrayList<>(new TreeSet<>(practices)));
		}
		return values;
	}

}
