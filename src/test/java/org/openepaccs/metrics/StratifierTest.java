package org.openepaccs.metrics;

import java.time.LocalDate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class StratifierTest {

	@ParameterizedTest
	@CsvSource({ "2022-01-01, 0-4", "2021-07-01, 0-4", "2021-06-30, 5-12", "2013-07-01, 5-12", "2013-06-30, 13-17",
			"2008-07-01, 13-17", "2008-06-30, 18-64", "1961-07-01, 18-64", "1961-06-30, 65-74", "1951-06-30, 75-84",
			"1941-07-01, 75-84", "1941-06-30, 85+", "1920-01-01, 85+" })
	void agesOnTheDay(LocalDate birthDate, String band) {
		assertThat(Stratifier.ageBand(birthDate, LocalDate.of(2026, 6, 30))).isEqualTo(band);
	}

	@ParameterizedTest
	@CsvSource({ "1, 1 (most deprived)", "2, 1 (most deprived)", "3, 2", "4, 2", "5, 3", "8, 4",
			"9, 5 (least deprived)", "10, 5 (least deprived)", "11, not recorded", "0, not recorded" })
	void groupsDecilesInPairs(int decile, String quintile) {
		assertThat(Stratifier.imdQuintile(decile)).isEqualTo(quintile);
	}

	@ParameterizedTest
	@CsvSource({ "A, White", "C, White", "D, Mixed", "G, Mixed", "H, Asian or Asian British",
			"L, Asian or Asian British", "M, Black or Black British", "P, Black or Black British",
			"R, Other Ethnic Groups", "S, Other Ethnic Groups", "Z, Not stated", "X, not recorded" })
	void groupsEthnicCategoriesAsTheDataDictionaryDoes(String code, String group) {
		assertThat(Stratifier.ethnicCategoryGroup(code)).isEqualTo(group);
	}

	@ParameterizedTest
	@CsvSource({ "C34.9, true", "C349, true", "C00, true", "C97, true", "D00.1, true", "D48.9, true", "D49, false",
			"D50.0, false", "I50.0, false", "G12.2, false", "c61, true", "Z51.5, false" })
	void icd10ChapterTwoIsCancer(String code, boolean cancer) {
		assertThat(DiagnosisGroup.icd10Cancer(code)).isEqualTo(cancer);
	}

}
