package org.openepaccs.http;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.CorsFilter;

import static org.assertj.core.api.Assertions.assertThat;

class CorsConfigTest {

	@Test
	void aConfiguredOriginMayCallTheApiAndReadTheVersionAndRequestIdHeaders() throws Exception {
		CorsFilter filter = filterAllowing(List.of("https://viewer.example.org"));
		MockHttpServletRequest preflight = new MockHttpServletRequest("OPTIONS", "/fhir/Patient");
		preflight.addHeader("Origin", "https://viewer.example.org");
		preflight.addHeader("Access-Control-Request-Method", "PUT");
		preflight.addHeader("Access-Control-Request-Headers", "If-Match, Content-Type");
		MockHttpServletResponse response = new MockHttpServletResponse();

		filter.doFilter(preflight, response, new MockFilterChain());

		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://viewer.example.org");
		assertThat(response.getHeader("Access-Control-Allow-Methods")).contains("PUT");

		MockHttpServletRequest get = new MockHttpServletRequest("GET", "/fhir/Patient");
		get.addHeader("Origin", "https://viewer.example.org");
		MockHttpServletResponse getResponse = new MockHttpServletResponse();
		filter.doFilter(get, getResponse, new MockFilterChain());
		assertThat(getResponse.getHeader("Access-Control-Expose-Headers")).contains("ETag").contains("X-Request-ID");
	}

	@Test
	void anotherOriginIsRefusedWithAnOperationOutcome() throws Exception {
		CorsFilter filter = filterAllowing(List.of("https://viewer.example.org"));
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/fhir/Patient");
		request.addHeader("Origin", "https://evil.example.org");
		MockHttpServletResponse response = new MockHttpServletResponse();

		filter.doFilter(request, response, new MockFilterChain());

		assertThat(response.getStatus()).isEqualTo(403);
		assertThat(response.getContentType()).startsWith("application/fhir+json");
		assertThat(response.getContentAsString()).contains("OperationOutcome").contains("Cross-origin");
	}

	private static CorsFilter filterAllowing(List<String> origins) {
		HttpProperties properties = new HttpProperties(DataSize.ofMegabytes(10), new HttpProperties.Cors(origins),
				HttpPropertiesTest.defaultLimits());
		return new CorsConfig().corsFilter(properties).getFilter();
	}

}
