package org.openepaccs.register;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PreferredPlaceOfDeathTest {

	@ParameterizedTest(name = "preferred {0}, died {1}: {2}")
	@CsvSource({ "110481000000108, 876879006, yes", // home, died at home
			"110481000000108, 183676005, no", // home, died in hospital
			"108401000000102, 876882001, yes", // hospice, died in hospice
			"108401000000102, 876879006, no", // hospice, died at home
			"931401000000103, 876882001, yes", // hospice community lodge, died in hospice
			"819211000000102, 876884000, yes", // usual place of residence, died in
												// nursing home
			"819211000000102, 183676005, no", // usual place of residence, died in
												// hospital
			"710571000000101, 1325731000000106, yes", // care home, died in residential
														// home
			"89761000000106, 1325731000000106, no", // nursing home, died in residential
													// home
			"109401000000108, 183676005, yes", // hospital, died in hospital
			"89751000000108, 713049009, yes", // community hospital, died in a community
												// hospital
			"518771000000106, 713051008, yes", // mental health unit
			"517161000000101, 876879006, unknown", // undecided
			"1060941000000102, 183676005, unknown", // no preference
			"766391000000108, 876879006, unknown" }) // declined discussion
	void decidesOnlyWhenThePreferenceNamesAPlace(String preferred, String actual, String expected) {
		assertThat(PreferredPlaceOfDeath.achieved(preferred, actual).map((yes) -> yes ? "yes" : "no").orElse("unknown"))
			.isEqualTo(expected);
		assertThat(PreferredPlaceOfDeath.isPreferredPlaceOfDeath(preferred)).isTrue();
	}

}
