package org.openepaccs.http;

import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Serves a page of search results asked for on the searched type
 * ({@code GET /fhir/Patient?_getpages=...}) as the page it is ({@code GET
 * /fhir?_getpages=...}). Client libraries such as {@code @medplum/core} follow a
 * {@code next} link by taking its query parameters into a new search of the same type;
 * HAPI serves pages at the base URL only and would answer that with 400. Only a query
 * made of paging parameters alone is moved, so the request is still a page of an existing
 * search, decided and audited as one.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 6)
class TypeLevelPagingFilter extends OncePerRequestFilter {

	private static final Pattern TYPE_PATH = Pattern.compile("/fhir/[A-Z][A-Za-z]{1,63}/?");

	private static final Set<String> PAGING_PARAMETERS = Set.of("_getpages", "_getpagesoffset", "_count", "_bundletype",
			"_format", "_pretty", "_summary", "_elements");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		if ("GET".equals(request.getMethod()) && TYPE_PATH.matcher(path).matches()
				&& request.getParameterMap().containsKey("_getpages")
				&& PAGING_PARAMETERS.containsAll(request.getParameterMap().keySet())) {
			chain.doFilter(new AtTheBase(request), response);
			return;
		}
		chain.doFilter(request, response);
	}

	/** The same request, addressed to the FHIR base. */
	private static final class AtTheBase extends HttpServletRequestWrapper {

		AtTheBase(HttpServletRequest request) {
			super(request);
		}

		@Override
		public String getRequestURI() {
			return getContextPath() + "/fhir";
		}

		@Override
		public StringBuffer getRequestURL() {
			StringBuffer url = super.getRequestURL();
			return new StringBuffer(url.substring(0, url.length() - super.getRequestURI().length()))
				.append(getRequestURI());
		}

		@Override
		public String getServletPath() {
			return "/fhir";
		}

		@Override
		public String getPathInfo() {
			return null;
		}

	}

}
