package org.openepaccs.common;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

class RequestPathTest {

	@Test
	void anEncodedSpellingIsClassifiedAsThePlainOne() {
		assertThat(RequestPath.of(request("", "/oauth2/%6caunch"))).isEqualTo("/oauth2/launch");
		assertThat(RequestPath.of(request("", "/%76iewer/"))).isEqualTo("/viewer/");
		assertThat(RequestPath.of(request("/app", "/app/fhir/Patient"))).isEqualTo("/fhir/Patient");
	}

	@Test
	void aMalformedEncodingIsLeftAsItCame() {
		assertThat(RequestPath.of(request("", "/fhir/%zz"))).isEqualTo("/fhir/%zz");
	}

	private static MockHttpServletRequest request(String contextPath, String uri) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", uri);
		request.setContextPath(contextPath);
		return request;
	}

}
