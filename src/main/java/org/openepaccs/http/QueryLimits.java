package org.openepaccs.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the search parameters of a request against {@link HttpProperties.Limits}: how
 * many there are, how many values each ORs, how many {@code _sort} keys and includes.
 * Each one becomes a join or a subquery in the database, and plain HAPI runs hundreds of
 * them for minutes after the client has given up. A NUL character is refused too:
 * PostgreSQL cannot compare text with one, and its error named the failed query.
 */
final class QueryLimits {

	private final HttpProperties.Limits limits;

	QueryLimits(HttpProperties.Limits limits) {
		this.limits = limits;
	}

	/** What is wrong with these decoded parameters, or null. */
	String check(Map<String, String[]> parameters) {
		int count = 0;
		int sortKeys = 0;
		int includes = 0;
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			String name = parameter.getKey();
			if (name.indexOf('\0') >= 0) {
				return "A search parameter name contains a NUL character (%00), which no FHIR value may hold";
			}
			for (String value : parameter.getValue()) {
				count++;
				if (value.indexOf('\0') >= 0) {
					return "The search parameter " + name
							+ " contains a NUL character (%00), which no FHIR value may hold";
				}
				int alternatives = alternatives(value);
				if (alternatives > this.limits.maxOrValues()) {
					return "The search parameter " + name + " has " + alternatives
							+ " comma-separated values; this server accepts at most "
							+ HttpProperties.Limits.describe("max-or-values", this.limits.maxOrValues());
				}
				if (name.equals("_sort")) {
					sortKeys += alternatives;
				}
				else if (name.startsWith("_include") || name.startsWith("_revinclude")) {
					includes++;
				}
			}
		}
		if (count > this.limits.maxSearchParameters()) {
			return "The request has " + count + " search parameters; this server accepts at most "
					+ HttpProperties.Limits.describe("max-search-parameters", this.limits.maxSearchParameters());
		}
		if (sortKeys > this.limits.maxSortKeys()) {
			return "_sort has " + sortKeys + " keys; this server accepts at most "
					+ HttpProperties.Limits.describe("max-sort-keys", this.limits.maxSortKeys());
		}
		if (includes > this.limits.maxIncludes()) {
			return "The request has " + includes + " _include and _revinclude values; this server accepts at most "
					+ HttpProperties.Limits.describe("max-includes", this.limits.maxIncludes());
		}
		return null;
	}

	/**
	 * What is wrong with the search in a conditional header such as
	 * {@code If-None-Exist}, or in a transaction entry's {@code request.url} or
	 * {@code request.ifNoneExist} ({@code Patient?identifier=...} or just its query), or
	 * null.
	 * @param where what to call the search in the message
	 */
	String checkMatchUrl(String where, String matchUrl) {
		if (matchUrl == null) {
			return null;
		}
		String problem = check(parse(matchUrl.substring(matchUrl.indexOf('?') + 1)));
		return (problem != null) ? "In " + where + ": " + problem : null;
	}

	/** The number of values a search value ORs: commas not escaped with a backslash. */
	static int alternatives(String value) {
		int alternatives = 1;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\\') {
				i++;
			}
			else if (c == ',') {
				alternatives++;
			}
		}
		return alternatives;
	}

	private static Map<String, String[]> parse(String query) {
		Map<String, List<String>> parameters = new LinkedHashMap<>();
		for (String pair : query.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int equals = pair.indexOf('=');
			String name = decode((equals >= 0) ? pair.substring(0, equals) : pair);
			String value = (equals >= 0) ? decode(pair.substring(equals + 1)) : "";
			parameters.computeIfAbsent(name, (key) -> new ArrayList<>()).add(value);
		}
		Map<String, String[]> result = new LinkedHashMap<>();
		parameters.forEach((name, values) -> result.put(name, values.toArray(String[]::new)));
		return result;
	}

	private static String decode(String text) {
		try {
			return URLDecoder.decode(text, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			// a malformed encoding is HAPI's to report; count the text as written
			return text;
		}
	}

}
