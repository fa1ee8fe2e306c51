package org.openepaccs.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts PostgreSQL's planner statistics targets on HAPI's index columns back to the
 * database's default (100).
 * <p>
 * HAPI's schema migration raises them to 1,000 and 10,000
 * ({@code hapifhirpostgres94-init01.sql}: its hashes "cover 100s of SPs and need greater
 * depth"). PostgreSQL plans every statement afresh, and with lists of 10,000 common
 * values to weigh, planning a register or worklist query costs more than running it; with
 * the default the plans are the same and planning is cheap (the figures are in
 * {@code docs/architecture.md}, "Design choices made for performance").
 * <p>
 * The tables are analysed again when a target changed, so that the planner uses the
 * smaller statistics at once rather than after autovacuum's next analyse.
 */
final class PlannerStatistics {

	private static final Logger log = LoggerFactory.getLogger(PlannerStatistics.class);

	/**
	 * Columns of HAPI's tables with the targets HAPI's migration sets (the default is -1
	 * before PostgreSQL 17, NULL since); a target a DBA chose is left alone.
	 */
	private static final String RAISED = "select c.relname, a.attname from pg_attribute a"
			+ " join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace"
			+ " where n.nspname = current_schema() and c.relname like 'hfj\\_%' and c.relkind = 'r'"
			+ " and a.attnum > 0 and not a.attisdropped and a.attstattarget in (1000, 10000) order by 1, 2";

	private PlannerStatistics() {
	}

	static void useDatabaseDefaults(DataSource dataSource) {
		long started = System.nanoTime();
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			// each change on its own (ANALYZE cannot run in a transaction block)
			connection.setAutoCommit(true);
			Map<String, List<String>> raised = new LinkedHashMap<>();
			try (ResultSet columns = statement.executeQuery(RAISED)) {
				while (columns.next()) {
					raised.computeIfAbsent(columns.getString(1), (table) -> new ArrayList<>())
						.add(columns.getString(2));
				}
			}
			if (raised.isEmpty()) {
				return;
			}
			// a table another replica or a vacuum holds is left for the next start rather
			// than holding this one up
			statement.execute("set lock_timeout = '5s'");
			int done = 0;
			for (Map.Entry<String, List<String>> table : raised.entrySet()) {
				try {
					for (String column : table.getValue()) {
						statement.execute("alter table " + quoted(table.getKey()) + " alter column " + quoted(column)
								+ " set statistics -1");
					}
					statement.execute("analyze " + quoted(table.getKey()));
					done++;
				}
				catch (SQLException ex) {
					log.warn("Planner statistics of {} left as they were for now: {}", table.getKey(), ex.getMessage());
				}
			}
			statement.execute("reset lock_timeout");
			log.info(
					"Planner statistics targets of HAPI's index columns put back to the database default on {} of {} "
							+ "table(s), analysed, in {} ms",
					done, raised.size(), (System.nanoTime() - started) / 1_000_000);
		}
		catch (SQLException ex) {
			// slower planning, not a reason to refuse to start
			log.warn("Could not put the planner statistics targets of HAPI's index columns back to the default "
					+ "(searches will be planned more slowly): {}", ex.getMessage());
		}
	}

	private static String quoted(String identifier) {
		return "\"" + identifier.replace("\"", "\"\"") + "\"";
	}

}
