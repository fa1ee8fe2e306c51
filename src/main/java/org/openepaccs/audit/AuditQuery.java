package org.openepaccs.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an AuditEvent search asks for; every criterion is optional.
 * <p>
 * A search that needs more than one page carries its query in the page id itself (see
 * {@link #pageId()}), so that any replica can serve the next page without keeping state.
 * The page id holds nothing the caller did not send, and each page is authorised again
 * when it is served.
 *
 * @param patient events naming this patient ({@code Patient/id})
 * @param entity events naming this resource ({@code Type/id})
 * @param from recorded at or after
 * @param to recorded at or before
 * @param subtype the restful interaction ({@code read}, {@code create}, …)
 * @param outcome 0, 4, 8 or 12
 * @param client the OAuth2 client ({@code agent.altId})
 * @param requestId the request id that is also in the logs ({@code source.observer})
 * @param oldestFirst sort ascending by date instead of newest first
 */
record AuditQuery(String patient, String entity, Instant from, Instant to, String subtype, String outcome,
		String client, String requestId, boolean oldestFirst) {

	static final String PAGE_PREFIX = "audit-";

	String pageId() {
		Map<String, String> fields = new LinkedHashMap<>();
		put(fields, "patient", this.patient);
		put(fields, "entity", this.entity);
		put(fields, "from", (this.from != null) ? this.from.toString() : null);
		put(fields, "to", (this.to != null) ? this.to.toString() : null);
		put(fields, "subtype", this.subtype);
		put(fields, "outcome", this.outcome);
		put(fields, "client", this.client);
		put(fields, "request", this.requestId);
		put(fields, "order", this.oldestFirst ? "asc" : "desc");
		String encoded = fields.entrySet()
			.stream()
			.map((field) -> field.getKey() + "=" + escape(field.getValue()))
			.collect(Collectors.joining("\n"));
		return PAGE_PREFIX
				+ Base64.getUrlEncoder().withoutPadding().encodeToString(encoded.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The query behind a page id, or empty if the id is not one of ours or is garbled.
	 */
	static Optional<AuditQuery> ofPageId(String pageId) {
		if (pageId == null || !pageId.startsWith(PAGE_PREFIX)) {
			return Optional.empty();
		}
		try {
			String decoded = new String(Base64.getUrlDecoder().decode(pageId.substring(PAGE_PREFIX.length())),
					StandardCharsets.UTF_8);
			Map<String, String> fields = new LinkedHashMap<>();
			for (String line : decoded.split("\n")) {
				int equals = line.indexOf('=');
				if (equals < 1) {
					return Optional.empty();
				}
				fields.put(line.substring(0, equals), unescape(line.substring(equals + 1)));
			}
			return Optional.of(new AuditQuery(fields.get("patient"), fields.get("entity"), instant(fields.get("from")),
					instant(fields.get("to")), fields.get("subtype"), fields.get("outcome"), fields.get("client"),
					fields.get("request"), "asc".equals(fields.get("order"))));
		}
		catch (IllegalArgumentException | java.time.format.DateTimeParseException ex) {
			return Optional.empty();
		}
	}

	private static void put(Map<String, String> fields, String key, String value) {
		if (value != null) {
			fields.put(key, value);
		}
	}

	private static Instant instant(String value) {
		return (value != null) ? Instant.parse(value) : null;
	}

	private static String escape(String value) {
		return value.replace("\\", "\\\\").replace("\n", "\\n");
	}

	private static String unescape(String value) {
		StringBuilder out = new StringBuilder(value.length());
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\\' && i + 1 < value.length()) {
				char next = value.charAt(++i);
				out.append((next == 'n') ? '\n' : next);
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

}
