package org.openepaccs.metrics;

import java.time.LocalDate;
import java.time.Period;
import java.util.List;
import java.util.Map;

/**
 * The breakdowns every indicator is stratified by, each a partition of the people
 * counted: every person falls in exactly one stratum of each (a "not recorded" one
 * included), so that a stratifier's strata add up to the group's total.
 */
enum Stratifier {

	AGE_BAND("age-band"), SEX("sex"), ETHNIC_CATEGORY_GROUP("ethnic-category-group"), IMD_QUINTILE("imd-quintile"),
	DIAGNOSIS_GROUP("diagnosis-group"), GP_PRACTICE("gp-practice");

	static final String NOT_RECORDED = "not recorded";

	static final List<String> AGE_BANDS = List.of("0-4", "5-12", "13-17", "18-64", "65-74", "75-84", "85+",
			NOT_RECORDED);

	static final List<String> SEXES = List.of("female", "male", "other", "unknown", NOT_RECORDED);

	/**
	 * The NHS Data Dictionary ETHNIC CATEGORY groups, in its order, and the code letters
	 * of each (the 2001 census categories that GP records and UK Core carry).
	 */
	static final Map<String, String> ETHNIC_GROUP_OF_CODE = Map.ofEntries(Map.entry("A", "White"),
			Map.entry("B", "White"), Map.entry("C", "White"), Map.entry("D", "Mixed"), Map.entry("E", "Mixed"),
			Map.entry("F", "Mixed"), Map.entry("G", "Mixed"), Map.entry("H", "Asian or Asian British"),
			Map.entry("J", "Asian or Asian British"), Map.entry("K", "Asian or Asian British"),
			Map.entry("L", "Asian or Asian British"), Map.entry("M", "Black or Black British"),
			Map.entry("N", "Black or Black British"), Map.entry("P", "Black or Black British"),
			Map.entry("R", "Other Ethnic Groups"), Map.entry("S", "Other Ethnic Groups"), Map.entry("Z", "Not stated"));

	static final List<String> ETHNIC_GROUPS = List.of("White", "Mixed", "Asian or Asian British",
			"Black or Black British", "Other Ethnic Groups", "Not stated", NOT_RECORDED);

	static final List<String> IMD_QUINTILES = List.of("1 (most deprived)", "2", "3", "4", "5 (least deprived)",
			NOT_RECORDED);

	static final List<String> DIAGNOSIS_GROUPS = List.of("cancer", "non-cancer", NOT_RECORDED);

	private final String code;

	Stratifier(String code) {
		this.code = code;
	}

	/** The code of the stratifier in CodeSystem epaccs-measure. */
	String code() {
		return this.code;
	}

	static String ageBand(LocalDate birthDate, LocalDate on) {
		if (birthDate == null || birthDate.isAfter(on)) {
			return NOT_RECORDED;
		}
		int age = Period.between(birthDate, on).getYears();
		if (age <= 4) {
			return "0-4";
		}
		if (age <= 12) {
			return "5-12";
		}
		if (age <= 17) {
			return "13-17";
		}
		if (age <= 64) {
			return "18-64";
		}
		if (age <= 74) {
			return "65-74";
		}
		return (age <= 84) ? "75-84" : "85+";
	}

	static boolean childOrYoungPerson(LocalDate birthDate, LocalDate on) {
		return birthDate != null && !birthDate.isAfter(on) && Period.between(birthDate, on).getYears() <= 17;
	}

	static String sex(String gender) {
		return (gender != null && SEXES.contains(gender)) ? gender : NOT_RECORDED;
	}

	static String ethnicCategoryGroup(String code) {
		return (code == null) ? NOT_RECORDED : ETHNIC_GROUP_OF_CODE.getOrDefault(code, NOT_RECORDED);
	}

	/** Quintile 1 is deciles 1 and 2 (the most deprived fifth), and so on. */
	static String imdQuintile(Integer decile) {
		if (decile == null || decile < 1 || decile > 10) {
			return NOT_RECORDED;
		}
		return IMD_QUINTILES.get((decile - 1) / 2);
	}

}
