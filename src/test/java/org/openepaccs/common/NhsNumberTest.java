package org.openepaccs.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NhsNumberTest {

	@Test
	void validNumbersFromTheTestRangePass() {
		assertThat(NhsNumber.problem("9990000018")).isNull();
		assertThat(NhsNumber.problem("9990000026")).isNull();
		// check digit 0 (11 - remainder 0 = 11 means 0)
		assertThat(NhsNumber.problem("9990000107")).isNull();
	}

	@Test
	void aWrongCheckDigitSaysWhichDigitAndWhatItShouldBe() {
		assertThat(NhsNumber.problem("9990000019"))
			.isEqualTo("the check digit (10th digit) is 9 but these first nine digits need 8");
	}

	@Test
	void numbersWhoseCheckDigitWouldBeTenDoNotExist() {
		String impossible = firstNineWithCheckTen();
		assertThat(NhsNumber.problem(impossible + "0")).contains("would be 10");
	}

	@Test
	void wrongLengthOrCharacters() {
		assertThat(NhsNumber.problem("999 000 0018")).contains("exactly 10 digits");
		assertThat(NhsNumber.problem("999000001")).contains("exactly 10 digits");
		assertThat(NhsNumber.problem("")).contains("must have a value");
		assertThat(NhsNumber.problem(null)).contains("must have a value");
	}

	private static String firstNineWithCheckTen() {
		for (int n = 999000000; n < 999001000; n++) {
			String digits = Integer.toString(n);
			int sum = 0;
			for (int i = 0; i < 9; i++) {
				sum += (digits.charAt(i) - '0') * (10 - i);
			}
			if (11 - (sum % 11) == 10) {
				return digits;
			}
		}
		throw new IllegalStateException("none in range");
	}

}
