package org.openepaccs.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class DisclosureControlTest {

	private final DisclosureControl control = new DisclosureControl(MetricsProperties.defaults());

	@ParameterizedTest
	@CsvSource(nullValues = "suppressed", value = { "0, 0", "1, suppressed", "7, suppressed", "8, 10", "12, 10",
			"13, 15", "17, 15", "18, 20", "102, 100", "103, 105" })
	void suppressesOneToSevenAndRoundsTheRestToFive(int people, Long shown) {
		Tabulation table = cohort();
		for (int i = 0; i < people; i++) {
			table.count(member("female", "A", false));
		}
		// everyone is female: the other sexes are 0, so there is nothing to recover
		this.control.apply(table);

		assertThat(table.total.cell(Tabulation.INITIAL_POPULATION).shown).isEqualTo(shown);
		assertThat(stratum(table, Stratifier.SEX, "female").cell(Tabulation.INITIAL_POPULATION).shown).isEqualTo(shown);
	}

	@Test
	void aTotalCannotRevealTheOneSuppressedStratum() {
		// 20 women and 5 men: the total (25) less the women (20) would give the men away
		Tabulation table = cohort();
		for (int i = 0; i < 20; i++) {
			table.count(member("female", "A", false));
		}
		for (int i = 0; i < 5; i++) {
			table.count(member("male", "A", false));
		}
		this.control.apply(table);

		assertThat(table.total.cell(Tabulation.INITIAL_POPULATION).shown).isEqualTo(25L);
		assertThat(stratum(table, Stratifier.SEX, "male").cell(Tabulation.INITIAL_POPULATION).suppressed).isTrue();
		assertThat(stratum(table, Stratifier.SEX, "female").cell(Tabulation.INITIAL_POPULATION).suppressed).isTrue();
		assertThat(stratum(table, Stratifier.SEX, "other").cell(Tabulation.INITIAL_POPULATION).shown).isZero();
	}

	@Test
	void theSecondCellSuppressedIsTheSmallestWithPeopleInIt() {
		Tabulation table = cohort();
		addWomenAndMen(table, 30, 12, 3);
		this.control.apply(table);

		assertThat(shown(table, "female")).isEqualTo(30L);
		assertThat(shown(table, "male")).isNull();
		assertThat(shown(table, "other")).isNull();
	}

	@Test
	void twoSuppressedStrataNeedNoThird() {
		Tabulation table = cohort();
		addWomenAndMen(table, 30, 4, 3);
		this.control.apply(table);

		assertThat(shown(table, "female")).isEqualTo(30L);
		assertThat(shown(table, "male")).isNull();
		assertThat(shown(table, "other")).isNull();
	}

	@Test
	void aNumeratorIsSuppressedWhenFewAreLeftOutOfIt() {
		// 9 of 10 died at home: showing it tells of the one who did not
		Tabulation table = proportion();
		for (int i = 0; i < 10; i++) {
			table.count(member("female", "A", i < 9));
		}
		this.control.apply(table);

		assertThat(table.total.cell(Tabulation.DENOMINATOR).shown).isEqualTo(10L);
		assertThat(table.total.cell(Tabulation.NUMERATOR).shown).isNull();
	}

	@Test
	void aNumeratorIsSuppressedWhereItsDenominatorIs() {
		Tabulation table = proportion();
		for (int i = 0; i < 20; i++) {
			table.count(member("female", "A", false));
		}
		for (int i = 0; i < 6; i++) {
			table.count(member("male", "A", false));
		}
		this.control.apply(table);

		// no man had it: a zero numerator, yet it would say so of a suppressed group
		assertThat(stratum(table, Stratifier.SEX, "male").cell(Tabulation.NUMERATOR).shown).isNull();
		assertThat(table.total.cell(Tabulation.NUMERATOR).shown).isZero();
	}

	/**
	 * Whatever the counts, every population of every stratifier shows either no
	 * suppressed stratum with people in it, or at least two suppressed strata, or a
	 * suppressed total: never one cell that the total less the others would give away;
	 * and no numerator is shown that leaves 1–7 people out of a shown denominator.
	 */
	@Test
	void noCountBelowEightCanBeWorkedOutFromWhatIsShown() {
		Random random = new Random(19);
		String[] sexes = { "female", "male", "other", "unknown" };
		String[] ethnicities = { "A", "D", "H", "M", "R", "Z" };
		for (int run = 0; run < 500; run++) {
			Tabulation table = proportion();
			int people = random.nextInt(60);
			for (int i = 0; i < people; i++) {
				table.count(member(sexes[random.nextInt(random.nextInt(4) + 1)], ethnicities[random.nextInt(6)],
						random.nextInt(10) < 7));
			}
			this.control.apply(table);
			for (String population : table.populations) {
				Tabulation.Cell total = table.total.cell(population);
				for (Map<String, Tabulation.Row> stratifier : table.strata.values()) {
					List<Tabulation.Cell> suppressed = stratifier.values()
						.stream()
						.map((row) -> row.cell(population))
						.filter((cell) -> cell.shown == null)
						.toList();
					if (!total.suppressed && suppressed.stream().anyMatch((cell) -> cell.raw > 0)) {
						assertThat(suppressed).as("run %d %s", run, population).hasSizeGreaterThanOrEqualTo(2);
					}
				}
			}
			for (Tabulation.Row row : table.rows()) {
				Tabulation.Cell denominator = row.cell(Tabulation.DENOMINATOR);
				Tabulation.Cell numerator = row.cell(Tabulation.NUMERATOR);
				for (Tabulation.Cell cell : List.of(denominator, numerator)) {
					if (cell.raw >= 1 && cell.raw <= 7) {
						assertThat(cell.shown).isNull();
					}
				}
				long left = denominator.raw - numerator.raw;
				if (numerator.shown != null && left >= 1 && left <= 7) {
					throw new AssertionError("run " + run + ": a numerator leaves " + left + " people out");
				}
			}
		}
	}

	private static Long shown(Tabulation table, String sex) {
		return stratum(table, Stratifier.SEX, sex).cell(Tabulation.INITIAL_POPULATION).shown;
	}

	private static void addWomenAndMen(Tabulation table, int women, int men, int others) {
		for (int i = 0; i < women; i++) {
			table.count(member("female", "A", false));
		}
		for (int i = 0; i < men; i++) {
			table.count(member("male", "A", false));
		}
		for (int i = 0; i < others; i++) {
			table.count(member("other", "A", false));
		}
	}

	private static Tabulation.Row stratum(Tabulation table, Stratifier stratifier, String value) {
		return table.strata.get(stratifier).get(value);
	}

	private static Tabulation cohort() {
		return new Tabulation("on-register", List.of(Tabulation.INITIAL_POPULATION), values());
	}

	private static Tabulation proportion() {
		return new Tabulation("usual-place-of-residence", List.of(Tabulation.DENOMINATOR, Tabulation.NUMERATOR),
				values());
	}

	private static Map<Stratifier, List<String>> values() {
		Map<Stratifier, List<String>> values = new EnumMap<>(Stratifier.class);
		values.put(Stratifier.SEX, Stratifier.SEXES);
		values.put(Stratifier.ETHNIC_CATEGORY_GROUP, Stratifier.ETHNIC_GROUPS);
		return values;
	}

	private static Tabulation.Member member(String sex, String ethnicCategory, boolean inNumerator) {
		Map<Stratifier, String> strata = new EnumMap<>(Stratifier.class);
		strata.put(Stratifier.SEX, sex);
		strata.put(Stratifier.ETHNIC_CATEGORY_GROUP, Stratifier.ethnicCategoryGroup(ethnicCategory));
		return new Tabulation.Member(strata, inNumerator, null);
	}

}
