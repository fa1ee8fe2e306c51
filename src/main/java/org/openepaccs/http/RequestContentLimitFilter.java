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
 * Refuses, with 400 and the location of the problem, a FHIR request whose body, search
 * parameters (also those of an {@code If-None-Exist} header) or search values break
 * {@link HttpProperties.Limits}, before HAPI spends any time parsing it or the database
 * any time searching. The body has already passed {@link RequestBodyLimitFilter}, so
 * reading it whole is bounded; it is scanned once, for all the body limits together.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 15)
class RequestContentLimitFilter extends OncePerRequestFilter {

	private final ContentLimits limits;

	private final QueryLimits queryLimits;

	RequestContentLimitFilter(HttpProperties properties) {
		this.limits = new ContentLimits(properties.limits());
		this.queryLimits = new QueryLimits(properties.limits());
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !request.getRequestURI().startsWith("/fhir");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String problem = this.queryLimits.check(request.getParameterMap());
		if (problem == null) {
			problem = this.queryLimits.checkMatchUrl("If-None-Exist", request.getHeader("If-None-Exist"));
		}
		if (problem != null) {
			OperationOutcomeResponse.write(response, HttpServletResponse.SC_BAD_REQUEST, IssueType.TOOCOSTLY, problem);
			return;
		}
		problem = checkSearchValues(request.getParameterMap());
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
		ContentLimits.Body kind = bodyKind(request);
		problem = json ? this.limits.checkJson(buffered.body(), kind) : this.limits.checkXml(buffered.body(), kind);
		if (problem != null) {
			refuse(response, problem);
			return;
		}
		chain.doFilter(buffered, response);
	}

	private static ContentLimits.Body bodyKind(HttpServletRequest request) {
		if ("PATCH".equals(request.getMethod())) {
			return ContentLimits.Body.PATCH;
		}
		String path = request.getRequestURI().substring(request.getContextPath().length());
		boolean systemLevel = path.equals("/fhir") || path.equals("/fhir/");
		return ("POST".equals(request.getMethod()) && systemLevel) ? ContentLimits.Body.TRANSACTION
				: ContentLimits.Body.RESOURCE;
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
