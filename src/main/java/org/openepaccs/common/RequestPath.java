package org.openepaccs.common;

import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.util.UriUtils;

/**
 * The path of a request within the application, percent-decoded, for the security filter
 * chains that classify requests by path. Decoded because the servlet container and Spring
 * MVC route {@code /%76iewer/} or {@code /oauth2/%6caunch} to the same handler as the
 * plain spelling: a chain that classified the raw path would leave the encoded one to
 * another chain. (Encoded slashes, dots and percent signs never get here: Spring
 * Security's firewall refuses them.)
 */
public final class RequestPath {

	private RequestPath() {
	}

	public static String of(HttpServletRequest request) {
		String raw = request.getRequestURI().substring(request.getContextPath().length());
		if (raw.indexOf('%') < 0) {
			return raw;
		}
		try {
			return UriUtils.decode(raw, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException malformed) {
			return raw;
		}
	}

}
