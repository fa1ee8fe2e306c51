package org.openepaccs.storage;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Sends HAPI's exclusion by tag, security label or profile ({@code _security:not=…},
 * which keeps people who refused to share out of every client search) as a correlated
 * {@code NOT EXISTS} instead of the {@code NOT IN} HAPI 8.8 writes.
 * <p>
 * PostgreSQL never turns a {@code NOT IN} into an anti-join: it reads every labelled
 * resource once per search, so the cost of each search grows with the number of people
 * who refused. The {@code NOT EXISTS} follows the tag index of the rows the search
 * actually looks at. For the non-null resource ids HAPI compares, the two select the same
 * rows; the placeholders and their order are unchanged. Only the exact subquery shape
 * HAPI writes is rewritten (its inner aliases shadow the outer query's, so they are
 * renamed); any other SQL, or a condition holding anything but comparisons of the tag
 * definition's type, system and code, is sent as it is.
 */
public final class TagExclusionAsNotExists implements StatementInspector {

	private static final Pattern NOT_IN = Pattern
		.compile("(\\b[a-z][a-z0-9_]*\\.[A-Z][A-Z0-9_]*) NOT IN \\(SELECT t0\\.RES_ID FROM HFJ_RES_TAG t0"
				+ " INNER JOIN HFJ_TAG_DEF t1 ON \\(t0\\.TAG_ID = t1\\.TAG_ID\\) WHERE ");

	/**
	 * What the condition may hold besides parentheses and spaces: comparisons of the tag
	 * definition with placeholders, joined by {@code AND} and {@code OR}.
	 */
	private static final List<String> TOKENS = List.of("AND", "OR", "t1.TAG_TYPE = ?", "t1.TAG_SYSTEM = ?",
			"t1.TAG_CODE = ?", "t1.TAG_CODE LIKE ?");

	/** The same tag tables under aliases of their own, correlated with the outer row. */
	private static final String NOT_EXISTS = "NOT EXISTS (SELECT 1 FROM HFJ_RES_TAG xt0 INNER JOIN HFJ_TAG_DEF xt1"
			+ " ON (xt0.TAG_ID = xt1.TAG_ID) WHERE (xt0.RES_ID = ";

	@Override
	public String inspect(String sql) {
		if (sql.indexOf(" NOT IN (SELECT t0.RES_ID FROM HFJ_RES_TAG t0") < 0) {
			return sql;
		}
		StringBuilder rewritten = new StringBuilder(sql.length() + 64);
		Matcher matcher = NOT_IN.matcher(sql);
		int copied = 0;
		while (matcher.find(copied)) {
			int conditionStart = matcher.end();
			int subqueryEnd = closingParenthesis(sql, conditionStart);
			String condition = (subqueryEnd < 0) ? null : sql.substring(conditionStart, subqueryEnd);
			if (condition == null || !onlyTagComparisons(condition)) {
				rewritten.append(sql, copied, conditionStart);
				copied = conditionStart;
				continue;
			}
			rewritten.append(sql, copied, matcher.start())
				.append(NOT_EXISTS)
				.append(matcher.group(1))
				.append(") AND (")
				.append(condition.replace("t1.TAG_", "xt1.TAG_"))
				.append("))");
			copied = subqueryEnd + 1;
		}
		rewritten.append(sql, copied, sql.length());
		return rewritten.toString();
	}

	/**
	 * Read token by token rather than with a regular expression, whose repetition
	 * recurses once per token: a search excluding about a hundred labels overflowed the
	 * stack.
	 */
	static boolean onlyTagComparisons(String condition) {
		int i = 0;
		while (i < condition.length()) {
			char c = condition.charAt(i);
			if (c == ' ' || c == '(' || c == ')') {
				i++;
				continue;
			}
			int next = i;
			for (String token : TOKENS) {
				if (condition.startsWith(token, i)) {
					next = i + token.length();
					break;
				}
			}
			if (next == i) {
				return false;
			}
			i = next;
		}
		return true;
	}

	/**
	 * The index of the parenthesis that closes the subquery whose condition starts at
	 * {@code from}, or -1 when the text is cut short.
	 */
	private static int closingParenthesis(String sql, int from) {
		int depth = 1;
		for (int i = from; i < sql.length(); i++) {
			char c = sql.charAt(i);
			if (c == '(') {
				depth++;
			}
			else if (c == ')' && --depth == 0) {
				return i;
			}
		}
		return -1;
	}

}
