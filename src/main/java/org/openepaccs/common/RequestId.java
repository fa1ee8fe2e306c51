package org.openepaccs.common;

import java.security.SecureRandom;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The id that ties one HTTP request to its log lines, its response ({@value #HEADER}) and
 * to the {@code meta.source} of every resource version it wrote.
 */
public final class RequestId {

	public static final String HEADER = "X-Request-ID";

	/** Key in the logging MDC, so every log line of the request carries the id. */
	public static final String MDC_KEY = "requestId";

	private static final String ATTRIBUTE = RequestId.class.getName();

	/**
	 * A caller's id is reused only if it cannot forge log lines or smuggle data into
	 * them.
	 */
	private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._-]{8,64}");

	private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		.toCharArray();

	private static final SecureRandom random = new SecureRandom();

	private RequestId() {
	}

	/** The caller's id when acceptable, otherwise a new random one. */
	public static String fromHeaderOrNew(String header) {
		if (header != null && ACCEPTABLE.matcher(header).matches()) {
			return header;
		}
		char[] id = new char[16];
		for (int i = 0; i < id.length; i++) {
			id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
		}
		return new String(id);
	}

	public static void attach(HttpServletRequest request, String requestId) {
		request.setAttribute(ATTRIBUTE, requestId);
	}

	/** The id of this request, or {@code null} if no filter assigned one. */
	public static String of(HttpServletRequest request) {
		return (String) request.getAttribute(ATTRIBUTE);
	}

}
