package org.openepaccs.http;

import java.nio.charset.StandardCharsets;
import java.util.Collections;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContentLimitsTest {

	private final ContentLimits limits = new ContentLimits(HttpPropertiesTest.defaultLimits());

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
		// an ODS code of a GP practice, not a number with an exponent
		assertThat(this.limits.checkSearchValue("E82041")).isNull();
		assertThat(this.limits.checkSearchValue("e999999")).isNull();
		assertThat(this.limits.checkSearchValue(".5e999999")).contains("exponent");
		assertThat(this.limits.checkSearchValue("2e3")).isNull();
	}

	@Test
	void longStringsAndNulCharactersAreRefused() {
		String longName = "a".repeat(1024 * 1024 + 1);

		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"family\":\"" + longName + "\"}]}")))
			.startsWith("The string at /name/0/family has 1048577 characters")
			.contains("epaccs.http.limits.max-string-length");
		assertThat(this.limits.checkXml(bytes("<Patient><name><family value=\"" + longName + "\"/></name></Patient>")))
			.contains("<family>")
			.contains("max-string-length");
		assertThat(this.limits.checkXml(bytes("<Patient><text><div>" + longName + "</div></text></Patient>")))
			.contains("max-string-length");
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"family\":\"a\\u0000b\"}]}")))
			.startsWith("The string at /name/0/family contains a NUL character");
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"family\":\"" + "a".repeat(1000) + "\"}]}"))).isNull();
	}

	@Test
	void longArraysAreRefusedWhereverTheyAre() {
		String names = "{},".repeat(10_000) + "{}";

		assertThat(this.limits.checkJson(bytes("{\"name\":[" + names + "]}")))
			.startsWith("The array at /name has more than 10000 elements")
			.contains("10000 (epaccs.http.limits.max-array-length)");
		assertThat(this.limits.checkJson(bytes("[" + names + "]"))).contains("max-array-length");
		assertThat(this.limits.checkXml(bytes("<Patient>" + "<name/>".repeat(10_001) + "</Patient>")))
			.contains("<name> is repeated more than 10000 times");
		assertThat(this.limits.checkJson(bytes("{\"name\":[" + "{},".repeat(9_999) + "{}]}"))).isNull();
		assertThat(this.limits.checkXml(bytes("<Patient>" + "<a/><b/>".repeat(6_000) + "</Patient>"))).isNull();
	}

	@Test
	void transactionEntriesAreCountedOnlyInTransactions() {
		String entries = "{\"request\":{\"method\":\"GET\",\"url\":\"Patient/x\"}},".repeat(1000) + "{}";
		byte[] bundle = bytes("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[" + entries + "]}");

		assertThat(this.limits.checkJson(bundle, ContentLimits.Body.TRANSACTION))
			.startsWith("The Bundle has more than 1000 entries")
			.contains("1000 (epaccs.http.limits.max-transaction-entries)");
		assertThat(this.limits.checkJson(bundle, ContentLimits.Body.RESOURCE)).isNull();
		String xmlEntries = "<entry><request><method value=\"GET\"/><url value=\"Patient/x\"/></request></entry>";
		assertThat(this.limits.checkXml(bytes("<Bundle>" + xmlEntries.repeat(1001) + "</Bundle>"),
				ContentLimits.Body.TRANSACTION))
			.contains("max-transaction-entries");
		assertThat(this.limits.checkXml(bytes("<Bundle>" + xmlEntries.repeat(1000) + "</Bundle>"),
				ContentLimits.Body.TRANSACTION))
			.isNull();
	}

	@Test
	void searchesInTransactionEntriesAreCheckedLikeARequestsOwn() {
		String conditional = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"request\":"
				+ "{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"" + "name=x&".repeat(51) + "\"}}]}";
		String search = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":"
				+ "{\"method\":\"GET\",\"url\":\"Patient?name=a%00b\"}}]}";

		assertThat(this.limits.checkJson(bytes(conditional), ContentLimits.Body.TRANSACTION))
			.startsWith("In /entry/0/request/ifNoneExist: The request has 51 search parameters");
		assertThat(this.limits.checkJson(bytes(search), ContentLimits.Body.TRANSACTION))
			.startsWith("In /entry/0/request/url: The search parameter name contains a NUL character");
		assertThat(this.limits.checkJson(bytes(search), ContentLimits.Body.RESOURCE)).isNull();
		assertThat(this.limits.checkJson(bytes(search.replace("%00", "")), ContentLimits.Body.TRANSACTION)).isNull();
		assertThat(this.limits.checkXml(bytes(
				"<Bundle><entry><request><url value=\"Patient?_sort=a,b,c,d,e,f\"/>" + "</request></entry></Bundle>"),
				ContentLimits.Body.TRANSACTION))
			.startsWith("In <request><url>: _sort has 6 keys");
	}

	@Test
	void patchOperationsAreCountedInJsonPatchAndFhirPathPatch() {
		String operation = "{\"op\":\"test\",\"path\":\"/id\",\"value\":\"x\"}";
		byte[] jsonPatch = bytes("[" + (operation + ",").repeat(100) + operation + "]");
		String parameter = "{\"name\":\"operation\",\"part\":[{\"name\":\"type\",\"valueCode\":\"delete\"}]}";
		byte[] fhirPatch = bytes(
				"{\"resourceType\":\"Parameters\",\"parameter\":[" + (parameter + ",").repeat(100) + parameter + "]}");

		assertThat(this.limits.checkJson(jsonPatch, ContentLimits.Body.PATCH))
			.startsWith("The patch has more than 100 operations")
			.contains("100 (epaccs.http.limits.max-patch-operations)");
		assertThat(this.limits.checkJson(fhirPatch, ContentLimits.Body.PATCH)).contains("max-patch-operations");
		assertThat(this.limits.checkJson(bytes("[" + (operation + ",").repeat(99) + operation + "]"),
				ContentLimits.Body.PATCH))
			.isNull();
	}

	@Test
	void loneSurrogatesAreRefusedAndPairsPass() {
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"family\":\"a\\ud800\"}]}")))
			.startsWith("The string at /name/0/family contains a lone UTF-16 surrogate (\\ud800)");
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"family\":\"\\ude00\\ud83d\"}]}")))
			.contains("lone UTF-16 surrogate (\\ude00)");
		assertThat(this.limits.checkJson(bytes("{\"a\\udc00\":1}"))).startsWith("The member name at the top level");
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"family\":\"\\ud83d\\ude00 \uD83D\uDE00\"}]}"))).isNull();
	}

	@Test
	void emptyMemberNamesAreRefused() {
		assertThat(this.limits.checkJson(bytes("{\"resourceType\":\"Patient\",\"\":1}")))
			.startsWith("The member name at the top level is empty");
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"_\":{}}]}")))
			.startsWith("The member name at /name/0 is empty");
	}

	@Test
	void nullIsOnlyAPlaceholderBesideTheOtherArray() {
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"_given\":[null,null,{\"extension\":5}]}]}")))
			.startsWith("The object at /name/0 has null at _given[0] with nothing at given[0]");
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"given\":[\"a\",null],\"_given\":[{\"id\":\"x\"}]}]}")))
			.contains("null at given[1]");
		assertThat(this.limits.checkJson(bytes("{\"name\":[{\"given\":[\"a\",null,\"c\"],"
				+ "\"_given\":[null,{\"extension\":[{\"url\":\"https://x\",\"valueCode\":\"a\"}]},null]}]}")))
			.isNull();
	}

	@Test
	void transactionEntriesHaveFhirsShape() {
		String entry = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[%s]}";
		assertThat(this.limits.checkJson(bytes(entry.formatted("{\"request\":[]}")), ContentLimits.Body.TRANSACTION))
			.isEqualTo("Bundle.entry[0].request must be an object");
		assertThat(this.limits.checkJson(bytes(entry.formatted("{},5")), ContentLimits.Body.TRANSACTION))
			.startsWith("Bundle.entry[1] must be an object");
		assertThat(this.limits.checkJson(bytes(entry.formatted("{\"request\":{\"method\":\"GET\",\"url\":7}}")),
				ContentLimits.Body.TRANSACTION))
			.isEqualTo("Bundle.entry[0].request.url must be a string");
		assertThat(this.limits.checkJson(
				bytes(entry.formatted("{\"resource\":{\"resourceType\":\"Patient\",\"request\":5},"
						+ "\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"_url\":{\"id\":\"u\"}}}")),
				ContentLimits.Body.TRANSACTION))
			.isNull();
	}

	@Test
	void aResourceWithMoreExtensionsThanTheLimitIsRefusedWhateverItsSize() {
		String extension = "{\"url\":\"https://example.org/x\",\"valueString\":\"a\"}";
		String patient = "{\"resourceType\":\"Patient\",\"extension\":[%s]}";

		assertThat(this.limits.checkJson(bytes(patient.formatted(copies(1001, extension)))))
			.startsWith("A resource in the body has more than 1000 extensions")
			.contains("1000 (epaccs.http.limits.max-extensions-per-resource)");
		assertThat(this.limits.checkJson(bytes(patient.formatted(copies(1000, extension))))).isNull();
		// extensions of primitives and modifier extensions count too
		String primitive = "{\"resourceType\":\"Patient\",\"_birthDate\":{\"extension\":[%s]},"
				+ "\"modifierExtension\":[%s]}";
		assertThat(this.limits.checkJson(bytes(primitive.formatted(copies(600, extension), copies(401, extension)))))
			.contains("max-extensions-per-resource");
		String xmlExtension = "<extension url=\"https://example.org/x\"><valueString value=\"a\"/></extension>";
		assertThat(this.limits.checkXml(bytes("<Patient>" + xmlExtension.repeat(1001) + "</Patient>")))
			.contains("more than 1000 extensions");
		assertThat(this.limits.checkXml(bytes("<Patient>" + xmlExtension.repeat(1000) + "</Patient>"))).isNull();
	}

	@Test
	void eachResourceOfABundleIsCountedOnItsOwnAndContainedOnesWithTheirContainer() {
		String extensions = copies(600, "{\"url\":\"https://example.org/x\",\"valueString\":\"a\"}");
		String entry = "{\"resource\":{\"resourceType\":\"Patient\",\"extension\":[" + extensions
				+ "]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}";
		String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entry + "," + entry
				+ "]}";

		assertThat(this.limits.checkJson(bytes(bundle), ContentLimits.Body.TRANSACTION)).isNull();
		String containing = "{\"resourceType\":\"Patient\",\"extension\":[" + extensions
				+ "],\"contained\":[{\"resourceType\":\"Patient\",\"extension\":[" + extensions + "]}]}";
		assertThat(this.limits.checkJson(bytes(containing))).contains("max-extensions-per-resource");
		String xmlExtension = "<extension url=\"https://example.org/x\"><valueString value=\"a\"/></extension>";
		String xmlEntry = "<entry><resource><Patient>" + xmlExtension.repeat(600) + "</Patient></resource></entry>";
		assertThat(this.limits.checkXml(bytes("<Bundle>" + xmlEntry + xmlEntry + "</Bundle>"),
				ContentLimits.Body.TRANSACTION))
			.isNull();
		assertThat(this.limits.checkXml(bytes("<Bundle><entry><resource><Patient>" + xmlExtension.repeat(1001)
				+ "</Patient></resource></entry></Bundle>"), ContentLimits.Body.TRANSACTION))
			.contains("max-extensions-per-resource");
	}

	@Test
	void aResourceWithMoreElementsThanTheLimitIsRefused() {
		String names = "{\"family\":\"A\",\"given\":[\"B\",\"C\"]}";
		// each name is four elements (the name, family, two given names) and resourceType
		// one more: 19,997 and 20,005
		String fine = "{\"resourceType\":\"Patient\",\"name\":[" + copies(4999, names) + "]}";
		String tooMany = "{\"resourceType\":\"Patient\",\"name\":[" + copies(5001, names) + "]}";

		assertThat(this.limits.checkJson(bytes(fine))).isNull();
		assertThat(this.limits.checkJson(bytes(tooMany)))
			.startsWith("A resource in the body has more than 20000 elements")
			.contains("20000 (epaccs.http.limits.max-elements-per-resource)");
	}

	private static String copies(int count, String json) {
		return String.join(",", Collections.nCopies(count, json));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
