package org.openepaccs.http;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Holds the answer to a bulk export request ({@code $export},
 * {@code $export-poll-status}) until the server has finished with the request. HAPI's
 * export operations write and close their response themselves and only then let the
 * interceptors see it, so without the hold the client has its answer before the request's
 * audit event is stored, and an audit failure could no longer change it. The answers are
 * a status, a few headers and a small manifest, so holding them costs nothing worth
 * counting; every other response streams as it is written.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 7)
class HeldExportResponses extends OncePerRequestFilter {

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String path = request.getRequestURI();
		return !path.contains("/$export") && !path.contains("/%24export");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		ContentCachingResponseWrapper held = new ContentCachingResponseWrapper(response);
		try {
			chain.doFilter(request, held);
		}
		finally {
			held.copyBodyToResponse();
		}
	}

}
