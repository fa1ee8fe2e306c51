package org.openepaccs.http;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.openepaccs.common.RequestId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id (the caller's {@code X-Request-ID} when it is safe to reuse),
 * puts it in every log line of the request and in the response header, and logs one
 * access line per request, so a support call can be matched to the server's logs. The
 * access line never carries the query string or any path segment that could be data
 * (resource ids, unknown paths): each can hold an NHS number or a name.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger("org.openepaccs.access");

	/**
	 * An operation ({@code $everything}) or a FHIR keyword ({@code _history},
	 * {@code _search}).
	 */
	private static final Pattern OPERATION_OR_KEYWORD = Pattern.compile("\\$[A-Za-z][A-Za-z-]{0,63}|_[a-z]{1,20}");

	/** Path segments that are never data: resource types and our own fixed paths. */
	private static final Set<String> FIXED_SEGMENTS = fixedSegments();

	private static Set<String> fixedSegments() {
		Set<String> fixed = new HashSet<>(FhirContext.forR4Cached().getResourceTypes());
		fixed.addAll(Set.of("fhir", "metadata", "actuator", "health", "liveness", "readiness", "prometheus", "info",
				"error", ".well-known", "smart-configuration"));
		return Set.copyOf(fixed);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String requestId = RequestId.of(request);
		if (requestId == null) {
			requestId = RequestId.fromHeaderOrNew(request.getHeader(RequestId.HEADER));
			RequestId.attach(request, requestId);
		}
		response.setHeader(RequestId.HEADER, requestId);
		MDC.put(RequestId.MDC_KEY, requestId);
		long started = System.nanoTime();
		// an exception escaping the chain becomes a 500 only after this filter returns
		int failedStatus = 0;
		try {
			chain.doFilter(request, response);
		}
		catch (IOException | ServletException | RuntimeException ex) {
			failedStatus = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
			throw ex;
		}
		finally {
			if (!isAsyncStarted(request) && request.getDispatcherType() == DispatcherType.REQUEST) {
				log.info("{} {} {} {} ms", request.getMethod(), maskIds(request.getRequestURI()),
						(failedStatus != 0) ? failedStatus : response.getStatus(),
						(System.nanoTime() - started) / 1_000_000);
			}
			MDC.remove(RequestId.MDC_KEY);
		}
	}

	@Override
	protected boolean shouldNotFilterErrorDispatch() {
		// an error page is rendered in a second dispatch: keep the id in its log lines
		// too
		return false;
	}

	/**
	 * The path with every segment that could be data replaced by {@code {id}}, whatever
	 * prefix or repeated slashes a client used to reach the servlet.
	 */
	static String maskIds(String path) {
		StringBuilder masked = new StringBuilder(path.length());
		for (String segment : path.split("/+")) {
			if (segment.isEmpty()) {
				continue;
			}
			boolean keep = FIXED_SEGMENTS.contains(segment) || OPERATION_OR_KEYWORD.matcher(segment).matches();
			masked.append('/').append(keep ? segment : "{id}");
		}
		return (masked.length() == 0) ? "/" : masked.toString();
	}

}
