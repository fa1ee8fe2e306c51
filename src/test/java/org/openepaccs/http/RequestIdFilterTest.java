package org.openepaccs.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdFilterTest {

	@Test
	void accessLogPathsHideResourceIdsWhichMayBeNhsNumbers() {
		assertThat(RequestIdFilter.maskIds("/fhir/Patient/9990000018")).isEqualTo("/fhir/Patient/{id}");
		assertThat(RequestIdFilter.maskIds("/fhir/Patient/MargaretSmith/_history/3"))
			.isEqualTo("/fhir/Patient/{id}/_history/{id}");
		assertThat(RequestIdFilter.maskIds("/fhir/Patient/abc/$everything"))
			.isEqualTo("/fhir/Patient/{id}/$everything");
		assertThat(RequestIdFilter.maskIds("/fhir/Patient")).isEqualTo("/fhir/Patient");
		assertThat(RequestIdFilter.maskIds("/fhir/metadata")).isEqualTo("/fhir/metadata");
		assertThat(RequestIdFilter.maskIds("/actuator/health/readiness")).isEqualTo("/actuator/health/readiness");
	}

	@Test
	void unknownPathsAndRepeatedSlashesCannotSmuggleDataIntoTheAccessLog() {
		assertThat(RequestIdFilter.maskIds("//fhir/Patient/9990000018")).isEqualTo("/fhir/Patient/{id}");
		assertThat(RequestIdFilter.maskIds("/Patient/9990000018")).isEqualTo("/Patient/{id}");
		assertThat(RequestIdFilter.maskIds("/x/Margaret/Smith")).isEqualTo("/{id}/{id}/{id}");
		assertThat(RequestIdFilter.maskIds("/")).isEqualTo("/");
	}

}
