package org.openepaccs.common;

/**
 * The NHS number rule (NHS Data Dictionary): ten digits, the last a Modulus 11 check
 * digit over the first nine weighted 10 down to 2. This checks the checksum only; whether
 * the number was ever issued is PDS's business.
 */
public final class NhsNumber {

	public static final String SYSTEM = "https://fhir.nhs.uk/Id/nhs-number";

	/**
	 * Request user data: the Patient ({@code Patient/id}) whose NHS number a refused
	 * write was told is recorded here, for the audit of that disclosure.
	 */
	public static final String DISCLOSED_HOLDER = NhsNumber.class.getName() + ".disclosedHolder";

	private NhsNumber() {
	}

	/** Why this is not a valid NHS number, or null if it is one. */
	public static String problem(String value) {
		if (value == null || value.isEmpty()) {
			return "an NHS number must have a value";
		}
		if (value.length() != 10 || !value.chars().allMatch(Character::isDigit)) {
			return "an NHS number is exactly 10 digits with no spaces or other characters";
		}
		int check = checkDigit(value.substring(0, 9));
		if (check == 10) {
			return "no NHS number can start with these nine digits (their Modulus 11 check digit would be 10)";
		}
		int given = value.charAt(9) - '0';
		if (given != check) {
			return "the check digit (10th digit) is " + given + " but these first nine digits need " + check;
		}
		return null;
	}

	/**
	 * The Modulus 11 check digit of the first nine digits of an NHS number; 10 means no
	 * NHS number starts with them.
	 */
	public static int checkDigit(String firstNine) {
		int sum = 0;
		for (int i = 0; i < 9; i++) {
			sum += (firstNine.charAt(i) - '0') * (10 - i);
		}
		int check = 11 - (sum % 11);
		return (check == 11) ? 0 : check;
	}

}
