package org.openepaccs.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PercentEncodingFilterTest {

	@Test
	void acceptsWellFormedEscapesAndNone() {
		assertThat(PercentEncodingFilter.isWellFormed("identifier=https://fhir.nhs.uk/Id/nhs-number%7C9990000018"))
			.isTrue();
		assertThat(PercentEncodingFilter.isWellFormed("name=O%27Brien%20%e2%80%99")).isTrue();
		assertThat(PercentEncodingFilter.isWellFormed("family=Smith")).isTrue();
		assertThat(PercentEncodingFilter.isWellFormed(null)).isTrue();
	}

	@Test
	void refusesAPercentNotFollowedByTwoHexDigits() {
		assertThat(PercentEncodingFilter.isWellFormed("name=%ZZ")).isFalse();
		assertThat(PercentEncodingFilter.isWellFormed("name=50%")).isFalse();
		assertThat(PercentEncodingFilter.isWellFormed("name=%4")).isFalse();
		assertThat(PercentEncodingFilter.isWellFormed("/fhir/Patient/%G1")).isFalse();
	}

}
