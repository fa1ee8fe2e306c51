package org.openepaccs.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One group's counts: for each population (denominator and numerator, or the initial
 * population of a cohort) the total and the count in every stratum of every stratifier,
 * as counted and then as disclosure control leaves them to be shown.
 */
final class Tabulation {

	static final String INITIAL_POPULATION = "initial-population";

	static final String DENOMINATOR = "denominator";

	static final String NUMERATOR = "numerator";

	/** One person counted in a group. */
	record Member(Map<Stratifier, String> strata, boolean inNumerator, Integer days) {
	}

	/** One count, and what may be shown of it. */
	static final class Cell {

		long raw;

		boolean suppressed;

		/** The days values of the people counted, for a median. */
		final List<Integer> days = new ArrayList<>();

		/** The count as shown: rounded, or null when suppressed. */
		Long shown;

	}

	/** The cells of one stratum or of the total, by population. */
	static final class Row {

		final Map<String, Cell> cells = new LinkedHashMap<>();

		Row(List<String> populations) {
			populations.forEach((population) -> this.cells.put(population, new Cell()));
		}

		Cell cell(String population) {
			return this.cells.get(population);
		}

	}

	final String group;

	final List<String> populations;

	final Row total;

	final Map<Stratifier, Map<String, Row>> strata = new EnumMap<>(Stratifier.class);

	Tabulation(String group, List<String> populations, Map<Stratifier, List<String>> strataValues) {
		this.group = group;
		this.populations = populations;
		this.total = new Row(populations);
		for (Stratifier stratifier : Stratifier.values()) {
			Map<String, Row> rows = new LinkedHashMap<>();
			strataValues.getOrDefault(stratifier, List.of()).forEach((value) -> rows.put(value, new Row(populations)));
			this.strata.put(stratifier, rows);
		}
	}

	/**
	 * Counts a member: in the first population always (denominator or initial
	 * population), in the numerator when they are in it.
	 */
	void count(Member member) {
		add(this.total, member);
		for (Map.Entry<Stratifier, String> stratum : member.strata().entrySet()) {
			add(this.strata.get(stratum.getKey()).computeIfAbsent(stratum.getValue(), (v) -> new Row(this.populations)),
					member);
		}
	}

	private void add(Row row, Member member) {
		Cell first = row.cell(this.populations.get(0));
		first.raw++;
		if (this.populations.size() == 1) {
			if (member.days() != null) {
				first.days.add(member.days());
			}
			return;
		}
		if (member.inNumerator()) {
			Cell numerator = row.cell(NUMERATOR);
			numerator.raw++;
			if (member.days() != null) {
				numerator.days.add(member.days());
			}
		}
	}

	/** Every row: the total first, then each stratifier's strata. */
	List<Row> rows() {
		List<Row> rows = new ArrayList<>();
		rows.add(this.total);
		this.strata.values().forEach((byValue) -> rows.addAll(byValue.values()));
		return rows;
	}

}
