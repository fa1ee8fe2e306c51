package org.openepaccs.notification;

import java.util.Locale;
import java.util.Set;

/**
 * The {@code Name: value} strings of a Subscription's {@code channel.header}. Their
 * values are the receiver's secrets (typically a bearer token): they are shown masked,
 * and checked without being repeated back, since an error message ends up in logs and in
 * the client's own error reports.
 */
final class ChannelHeaders {

	/** What a header's value is shown as to anyone but the admin role. */
	static final String MASK = "***";

	static final int LONGEST_VALUE = 4096;

	static final int LONGEST_NAME = 100;

	/** Headers a Subscription may have. */
	static final int MOST = 10;

	/**
	 * Headers the dispatcher sets itself, and those Java's HTTP client refuses to set
	 * (which would stop every delivery of the subscription).
	 */
	private static final Set<String> RESERVED = Set.of("content-type", "content-length", "transfer-encoding", "host",
			"connection", "keep-alive", "expect", "upgrade", "te", "trailer", "proxy-connection",
			NotificationDispatcher.SUBSCRIPTION_HEADER.toLowerCase(Locale.ROOT));

	/** RFC 9110 tchar, besides letters and digits. */
	private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

	private ChannelHeaders() {
	}

	/** The header's name, or null when it has no colon to end one. */
	static String name(String header) {
		int colon = (header != null) ? header.indexOf(':') : -1;
		return (colon > 0) ? header.substring(0, colon) : null;
	}

	/** The header's value without the whitespace around it, or null without a name. */
	static String value(String header) {
		int colon = (header != null) ? header.indexOf(':') : -1;
		return (colon > 0) ? header.substring(colon + 1).trim() : null;
	}

	/** The header with everything after the colon masked. */
	static String masked(String header) {
		String name = name(header);
		return (name != null) ? name + ": " + MASK : MASK;
	}

	static boolean isMasked(String header) {
		return (header != null) && (MASK.equals(header.trim()) || MASK.equals(value(header)));
	}

	/**
	 * What is wrong with the header, or null when it can be sent as it is. The answer
	 * names the header's name only when it is a valid one, and never its value.
	 */
	static String problem(String header) {
		if (header == null || header.isEmpty()) {
			return "is empty; write it as Name: value";
		}
		String name = name(header);
		if (name == null) {
			return "is not written as Name: value";
		}
		if (!isToken(name)) {
			return "has a name that is not an HTTP field name (letters, digits and " + TOKEN_SYMBOLS
					+ ", with no space before the colon)";
		}
		if (name.length() > LONGEST_NAME) {
			return "has a name longer than " + LONGEST_NAME + " characters";
		}
		if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
			return "names " + name + ", a header this server sets itself";
		}
		String value = header.substring(name.length() + 1);
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\r' || c == '\n') {
				return "has a line break in its value";
			}
			if ((c < 0x20 && c != '\t') || c >= 0x7f) {
				return "has a control or non-ASCII character in its value";
			}
		}
		if (value.trim().length() > LONGEST_VALUE) {
			return "has a value longer than " + LONGEST_VALUE + " characters";
		}
		return null;
	}

	private static boolean isToken(String name) {
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			boolean letterOrDigit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
			if (!letterOrDigit && TOKEN_SYMBOLS.indexOf(c) < 0) {
				return false;
			}
		}
		return !name.isEmpty();
	}

}
