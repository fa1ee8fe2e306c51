package org.openepaccs.http;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QueryLimitsTest {

	private final QueryLimits limits = new QueryLimits(HttpPropertiesTest.defaultLimits());

	@Test
	void ordinarySearchesPass() {
		assertThat(this.limits
			.check(Map.of("family", new String[] { "Smith" }, "birthdate", new String[] { "ge1940", "le1950" }, "_sort",
					new String[] { "family,-birthdate" }, "_include", new String[] { "Patient:general-practitioner" })))
			.isNull();
		assertThat(this.limits.check(Map.of())).isNull();
	}

	@Test
	void tooManyParametersCountingRepeatedNames() {
		Map<String, String[]> parameters = new LinkedHashMap<>();
		parameters.put("name", "x".repeat(51).split(""));

		assertThat(this.limits.check(parameters)).isEqualTo(
				"The request has 51 search parameters; this server accepts at most 50 (epaccs.http.limits.max-search-parameters)");
	}

	@Test
	void tooManyOrValuesIgnoringEscapedCommas() {
		assertThat(this.limits.check(Map.of("_id", new String[] { "a,".repeat(100) + "a" })))
			.contains("_id has 101 comma-separated values")
			.contains("100 (epaccs.http.limits.max-or-values)");
		assertThat(this.limits.check(Map.of("name", new String[] { "a\\,".repeat(150) }))).isNull();
		assertThat(QueryLimits.alternatives("a,b\\,c,d")).isEqualTo(3);
	}

	@Test
	void tooManySortKeysAndIncludes() {
		assertThat(this.limits.check(Map.of("_sort", new String[] { "a,b,c", "d,e,f" }))).contains("_sort has 6 keys")
			.contains("5 (epaccs.http.limits.max-sort-keys)");
		assertThat(this.limits
			.check(Map.of("_include", "x".repeat(6).split(""), "_revinclude:iterate", "x".repeat(5).split(""))))
			.contains("11 _include and _revinclude values")
			.contains("10 (epaccs.http.limits.max-includes)");
	}

	@Test
	void nulCharactersAreRefusedInNamesAndValues() {
		assertThat(this.limits.check(Map.of("name", new String[] { "a\0b" })))
			.contains("name contains a NUL character");
		assertThat(this.limits.check(Map.of("na\0me", new String[] { "x" }))).contains("name contains a NUL character");
	}

	@Test
	void matchUrlsInConditionalHeadersAreCheckedToo() {
		assertThat(this.limits.checkMatchUrl("If-None-Exist",
				"Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C9000000009"))
			.isNull();
		assertThat(this.limits.checkMatchUrl("If-None-Exist", "Patient?" + "name=x&".repeat(51)))
			.startsWith("In If-None-Exist: The request has 51 search parameters");
		assertThat(this.limits.checkMatchUrl("If-None-Exist", "identifier=a%00b")).contains("NUL");
		assertThat(this.limits.checkMatchUrl("If-None-Exist", "name=%ZZ")).isNull();
	}

}
