package org.openepaccs.http;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

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
 * Refuses, with 400 and the location of the problem, a FHIR request whose body or search
 * values break {@link HttpProperties.Limits}, before HAPI spends any time parsing it. The
 * body has already passed {@link RequestBodyLimitFilter}, so reading it whole is bounded.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 15)
class RequestContentLimitFilter extends OncePerRequestFilter {

	private final ContentLimits limits;

	RequestContentLimitFilter(HttpProperties properties) {
		this.limits = new ContentLimits(properties.limits());
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !request.getRequestURI().startsWith("/fhir");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String problem = checkSearchValues(request.getParameterMap());
		if (problem != null) {
			refuse(response, problem);
			return;
		}
		String contentType = (request.getContentType() != null) ? request.getContentType().toLowerCase(Locale.ROOT)
				: "";
		boolean json = contentType.contains("json");
		boolean xml = contentType.contains("xml");
		if (!json && !xml) {
			chain.doFilter(request, response);
			return;
		}
		// a chunked body was already read into memory by RequestBodyLimitFilter
		BufferedBodyRequest buffered = (request instanceof BufferedBodyRequest already) ? already
				: new BufferedBodyRequest(request, request.getInputStream().readAllBytes());
		problem = json ? this.limits.checkJson(buffered.body()) : this.limits.checkXml(buffered.body());
		if (problem != null) {
			refuse(response, problem);
			return;
		}
		chain.doFilter(buffered, response);
	}

	private String checkSearchValues(Map<String, String[]> parameters) {
		if (parameters.isEmpty()) {
			return null;
		}
		for (String[] values : parameters.values()) {
			for (String value : values) {
				for (String alternative : value.split(",")) {
					String problem = this.limits.checkSearchValue(alternative.trim());
					if (problem != null) {
						return problem;
					}
				}
			}
		}
		return null;
	}

	private static void refuse(HttpServletResponse response, String problem) throws IOException {
		OperationOutcomeResponse.write(response, HttpServletResponse.SC_BAD_REQUEST, IssueType.INVALID, problem);
	}

}
