package org.openepaccs.http;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContentLimitsTest {

	private final ContentLimits limits = new ContentLimits(new HttpProperties.Limits(32, 100, 64));

	@Test
	void ordinaryClinicalNumbersPass() {
		assertThat(this.limits.checkDecimal("72.5")).isNull();
		assertThat(this.limits.checkDecimal("-0.0001")).isNull();
		assertThat(this.limits.checkDecimal("6.02e23")).isNull();
		assertThat(this.limits.checkDecimal("1E-100")).isNull();
		assertThat(this.limits.checkDecimal("12345678901234567890123456789012")).isNull();
	}

	@Test
	void hugeExponentsAndTooManyDigitsAreRefused() {
		assertThat(this.limits.checkDecimal("1e999999")).contains("exponent outside -100 to +100");
		assertThat(this.limits.checkDecimal("1e-999999")).contains("exponent outside");
		assertThat(this.limits.checkDecimal("1e+00000000000000000000101")).contains("exponent outside");
		assertThat(this.limits.checkDecimal("123456789012345678901234567890123")).contains("33 digits");
	}

	@Test
	void jsonBodiesNameWhereTheProblemIs() {
		String observation = "{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":1e-999999}}";

		assertThat(this.limits.checkJson(bytes(observation))).startsWith("The number at /valueQuantity/value")
			.contains("exponent");
		assertThat(
				this.limits.checkJson(bytes("{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":72.5}}")))
			.isNull();
	}

	@Test
	void deepNestingIsRefusedBeforeAnyRecursiveParserSeesIt() {
		String deep = "{\"a\":".repeat(65) + "1" + "}".repeat(65);
		String fine = "{\"a\":".repeat(60) + "1" + "}".repeat(60);

		assertThat(this.limits.checkJson(bytes(deep))).contains("nested more than 64 levels");
		assertThat(this.limits.checkJson(bytes(fine))).isNull();
		assertThat(this.limits.checkXml(bytes("<a>".repeat(65) + "</a>".repeat(65))))
			.contains("nested more than 64 levels");
	}

	@Test
	void xmlDecimalsWithExponentsAreChecked() {
		String xml = "<Observation xmlns=\"http://hl7.org/fhir\"><valueQuantity><value value=\"1e999999\"/>"
				+ "</valueQuantity></Observation>";

		assertThat(this.limits.checkXml(bytes(xml))).contains("<value>").contains("exponent");
		assertThat(this.limits.checkXml(bytes(xml.replace("1e999999", "72.5")))).isNull();
	}

	@Test
	void malformedBodiesAreLeftForHapisParserToExplain() {
		assertThat(this.limits.checkJson(bytes("{\"resourceType\":"))).isNull();
		assertThat(this.limits.checkXml(bytes("<Patient><name>"))).isNull();
	}

	@Test
	void searchValuesWithPrefixes() {
		assertThat(this.limits.checkSearchValue("gt1e999999")).contains("exponent");
		assertThat(this.limits.checkSearchValue("1e999999|http://unitsofmeasure.org|mg")).contains("exponent");
		assertThat(this.limits.checkSearchValue("http://snomed.info/sct|1e999999")).isNull();
		assertThat(this.limits.checkSearchValue("le72.5")).isNull();
		assertThat(this.limits.checkSearchValue("Ellen")).isNull();
		assertThat(this.limits.checkSearchValue("2e3")).isNull();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
