package org.openepaccs.metrics;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Small-number suppression the way NHS statistics publish: counts from 1 to one below the
 * smallest shown count (1–7 by default) are suppressed, every other count is rounded to
 * the nearest multiple of the rounding base (5 by default), and further cells are
 * suppressed so that no suppressed count can be worked out from the counts shown:
 * <ol>
 * <li><b>primary</b>: a count of 1–7 is suppressed;</li>
 * <li><b>complement</b>: in a proportion, a numerator is suppressed where its denominator
 * is, or where the people not in it (denominator less numerator) are 1–7, since showing
 * "9 of 10" tells of the one;</li>
 * <li><b>secondary</b>: within a stratifier, where exactly one stratum of a population is
 * suppressed the total would give it away, so the smallest other stratum with people in
 * it is suppressed too (where there is none, the total is suppressed).</li>
 * </ol>
 * Shown counts are rounded only after the cells to suppress are chosen, from the true
 * counts. Zero is shown as zero.
 */
final class DisclosureControl {

	private final MetricsProperties properties;

	DisclosureControl(MetricsProperties properties) {
		this.properties = properties;
	}

	void apply(Tabulation table) {
		for (Tabulation.Row row : table.rows()) {
			row.cells.values().forEach((cell) -> cell.suppressed = small(cell.raw));
		}
		complement(table);
		String first = table.populations.get(0);
		secondary(table, first);
		if (table.populations.size() > 1) {
			complement(table);
			secondary(table, Tabulation.NUMERATOR);
		}
		for (Tabulation.Row row : table.rows()) {
			for (Tabulation.Cell cell : row.cells.values()) {
				cell.shown = cell.suppressed ? null : round(cell.raw);
			}
		}
	}

	boolean small(long count) {
		return count >= 1 && count < this.properties.smallestShownCount();
	}

	long round(long count) {
		long base = this.properties.roundingBase();
		return ((count + base / 2) / base) * base;
	}

	private void complement(Tabulation table) {
		if (table.populations.size() < 2) {
			return;
		}
		for (Tabulation.Row row : table.rows()) {
			Tabulation.Cell denominator = row.cell(Tabulation.DENOMINATOR);
			Tabulation.Cell numerator = row.cell(Tabulation.NUMERATOR);
			if (denominator.suppressed || small(denominator.raw - numerator.raw)) {
				numerator.suppressed = true;
			}
		}
	}

	private void secondary(Tabulation table, String population) {
		Tabulation.Cell total = table.total.cell(population);
		for (Map<String, Tabulation.Row> stratifier : table.strata.values()) {
			List<Tabulation.Cell> cells = stratifier.values().stream().map((row) -> row.cell(population)).toList();
			long suppressed = cells.stream().filter((cell) -> cell.suppressed).count();
			if (suppressed != 1 || total.suppressed) {
				continue;
			}
			Optional<Tabulation.Cell> partner = cells.stream()
				.filter((cell) -> !cell.suppressed && cell.raw > 0)
				.min(Comparator.comparingLong((Tabulation.Cell cell) -> cell.raw));
			if (partner.isPresent()) {
				partner.get().suppressed = true;
			}
			else {
				total.suppressed = true;
			}
		}
	}

	/**
	 * The median of the days, where the cell is shown and holds enough people; else null.
	 */
	Double median(Tabulation.Cell cell) {
		if (cell.suppressed || cell.days.size() < this.properties.medianMinimumCount()) {
			return null;
		}
		List<Integer> sorted = cell.days.stream().sorted().toList();
		int middle = sorted.size() / 2;
		return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2.0;
	}

}
