package org.openepaccs.http;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.openepaccs.common.OperationOutcomeResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a URL with a broken percent-encoding ({@code %} not followed by two hex digits)
 * with 400, before HAPI's decoder fails on it with a 500 that names Java classes.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class PercentEncodingFilter extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (isWellFormed(request.getRequestURI()) && isWellFormed(request.getQueryString())) {
			chain.doFilter(request, response);
			return;
		}
		OperationOutcomeResponse.write(response, HttpServletResponse.SC_BAD_REQUEST, IssueType.INVALID,
				"The URL has a malformed percent-encoding: every % must be followed by two hexadecimal digits "
						+ "(write a literal % as %25)");
	}

	static boolean isWellFormed(String raw) {
		if (raw == null) {
			return true;
		}
		for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 1)) {
			if (i + 2 >= raw.length() || !isHex(raw.charAt(i + 1)) || !isHex(raw.charAt(i + 2))) {
				return false;
			}
		}
		return true;
	}

	private static boolean isHex(char c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}

}
