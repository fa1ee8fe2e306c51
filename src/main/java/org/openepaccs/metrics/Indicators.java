package org.openepaccs.metrics;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

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
	 * The groups of the indicator, counted.
	 * @param practices the ODS codes of the practices asked for, or empty for everyone
	 */
	static List<Tabulation> count(Indicator indicator, Collection<PersonFacts> people, ReportingPeriod period,
			Set<String> practices) {
		Map<Stratifier, List<String>> strataValues = strataValues(people, practices);
		List<Tabulation> tables = new ArrayList<>();
		for (String group : indicator.groups()) {
			Tabulation table = new Tabulation(group, indicator.populations(), strataValues);
			for (PersonFacts person : people) {
				Tabulation.Member member = member(group, person, period);
				if (member != null
						&& (practices.isEmpty() || practices.contains(member.strata().get(Stratifier.GP_PRACTICE)))) {
					table.count(member);
				}
			}
			tables.add(table);
		}
		return tables;
	}

	/** The person as counted in the group, or null when the group does not count them. */
	static Tabulation.Member member(String group, PersonFacts person, ReportingPeriod period) {
		LocalDate end = period.end();
		PersonFacts.RegisterEntry atEnd = person.onRegisterAtEndOf(end);
		LocalDate death = person.deathDate;
		boolean diedInPeriod = period.contains(death);
		PersonFacts.RegisterEntry atDeath = diedInPeriod ? person.entryOn(death) : null;
		return switch (group) {
			case "on-register" -> (atEnd != null) ? of(person, atEnd, end, false, null) : null;
			case "added-to-register" -> person.entries.stream()
				.filter((entry) -> period.contains(entry.start()))
				.findFirst()
				.map((entry) -> of(person, entry, end, false, null))
				.orElse(null);
			case "died-on-register" ->
				diedInPeriod
						? of(person, (atDeath != null) ? atDeath : latest(person), death, atDeath != null,
								(atDeath != null) ? (int) ChronoUnit.DAYS.between(atDeath.start(), death) : null)
						: null;
			case "advance-care-plan" -> onRegister(person, atEnd, end, person.advanceCarePlan);
			case "preferred-place-of-death-recorded" ->
				onRegister(person, atEnd, end, person.preferredPlaceOfDeathRecorded);
			case "cpr-decision" -> onRegister(person, atEnd, end, person.cprDecision);
			case "anticipatory-medicines" -> onRegister(person, atEnd, end, person.anticipatoryMedicines);
			case "key-worker" -> onRegister(person, atEnd, end, atEnd != null && atEnd.keyWorker());
			case "plan-reviewed" -> onRegister(person, atEnd, end,
					person.advanceCarePlan && person.planReviewDate != null && !person.planReviewDate.isBefore(end));
			case "preferred-place-achieved" -> (diedInPeriod && person.preferredPlaceAchieved != null) ? of(person,
					(atDeath != null) ? atDeath : latest(person), death, person.preferredPlaceAchieved, null) : null;
			case "usual-place-of-residence" -> (atDeath != null)
					? of(person, atDeath, death,
							person.placeOfDeath != null && USUAL_PLACE_OF_RESIDENCE.contains(person.placeOfDeath), null)
					: null;
			case "cyp-advance-care-plan" -> (atEnd != null && Stratifier.childOrYoungPerson(person.birthDate, end))
					? of(person, atEnd, end, person.cypAdvanceCarePlan, null) : null;
			case "emergency-admissions" -> (atDeath != null)
					? of(person, atDeath, death, emergencyAdmissionsBefore(person, death) >= EMERGENCY_ADMISSIONS, null)
					: null;
			default -> throw new IllegalArgumentException("no group " + group);
		};
	}

	static long emergencyAdmissionsBefore(PersonFacts person, LocalDate death) {
		LocalDate from = death.minusDays(LAST_DAYS_OF_LIFE - 1);
		return person.emergencyAdmissions.stream().filter((day) -> !day.isBefore(from) && !day.isAfter(death)).count();
	}

	private static Tabulation.Member onRegister(PersonFacts person, PersonFacts.RegisterEntry atEnd, LocalDate end,
			boolean inNumerator) {
		return (atEnd != null) ? of(person, atEnd, end, inNumerator, null) : null;
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

	private static Tabulation.Member of(PersonFacts person, PersonFacts.RegisterEntry entry, LocalDate on,
			boolean inNumerator, Integer days) {
		Map<Stratifier, String> strata = new EnumMap<>(Stratifier.class);
		strata.put(Stratifier.AGE_BAND, Stratifier.ageBand(person.birthDate, on));
		strata.put(Stratifier.SEX, Stratifier.sex(person.gender));
		strata.put(Stratifier.ETHNIC_CATEGORY_GROUP, Stratifier.ethnicCategoryGroup(person.ethnicCategory));
		strata.put(Stratifier.IMD_QUINTILE, Stratifier.imdQuintile(person.deprivationDecile));
		strata.put(Stratifier.DIAGNOSIS_GROUP, (entry != null) ? entry.diagnosisGroup() : Stratifier.NOT_RECORDED);
		String practice = person.practiceOf(entry);
		strata.put(Stratifier.GP_PRACTICE, (practice != null) ? practice : Stratifier.NOT_RECORDED);
		return new Tabulation.Member(strata, inNumerator, days);
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
			Set<String> present = new TreeSet<>();
			people.forEach((person) -> person.entries.forEach((entry) -> {
				String practice = person.practiceOf(entry);
				present.add((practice != null) ? practice : Stratifier.NOT_RECORDED);
			}));
			values.put(Stratifier.GP_PRACTICE, List.copyOf(present));
		}
		else {
			values.put(Stratifier.GP_PRACTICE, new ArrayList<>(new TreeSet<>(practices)));
		}
		return values;
	}

}
