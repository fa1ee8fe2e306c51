package org.openepaccs.errors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorLogInterceptorTest {

	@Test
	void keepsOnlyHapiMessageCodesAndNeverTheValuesQuoted() {
		String message = "HAPI-0450: Failed to parse request body as JSON resource. Error was: HAPI-1821: "
				+ "[element=\"gender\"] Invalid attribute value \"Margaret Smith 9990000018\"";

		assertThat(ErrorLogInterceptor.codes(message)).containsExactly("HAPI-0450", "HAPI-1821");
		assertThat(ErrorLogInterceptor.codes("If-Match must be a version ETag")).isEmpty();
		assertThat(ErrorLogInterceptor.codes(null)).isEmpty();
	}

}
