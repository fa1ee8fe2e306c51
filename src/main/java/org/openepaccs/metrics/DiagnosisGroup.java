package org.openepaccs.metrics;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openepaccs.common.Systems;

/**
 * Whether a primary palliative diagnosis is cancer, decided without a terminology server:
 * an ICD-10 code in chapter II (Neoplasms, C00–D48), or a SNOMED CT code of the package's
 * ValueSet epaccs-cancer. Any other code is non-cancer; no coded diagnosis is not
 * recorded.
 */
final class DiagnosisGroup {

	static final String ICD10 = Systems.ICD10;

	/** C00–C97 and D00–D48, with or without the dot and further characters. */
	private static final Pattern CHAPTER_II = Pattern.compile("([CD])(\\d\\d).*");

	/** The codes of ValueSet epaccs-cancer (profiles/ValueSet-epaccs-cancer.json). */
	static final Set<String> CANCER_SNOMED = Set.of("363346000", "93665005", "371967001", "371970002", "93689003",
			"93725000", "372137005", "93727008", "372024009", "371984007", "372014001", "371986009", "93824007",
			"93922007", "93849006", "95214007", "93880001", "269475001", "93934004", "371987000", "372003004",
			"372005006", "109918005", "372016004", "93966009", "93974005", "94047004", "372010005", "94087009",
			"94096009", "94098005", "372025005");

	private DiagnosisGroup() {
	}

	static boolean icd10Cancer(String code) {
		if (code == null) {
			return false;
		}
		Matcher matcher = CHAPTER_II.matcher(code.trim().toUpperCase(java.util.Locale.ROOT));
		if (!matcher.matches()) {
			return false;
		}
		return "C".equals(matcher.group(1)) || Integer.parseInt(matcher.group(2)) <= 48;
	}

	static boolean snomedCancer(String code) {
		return code != null && CANCER_SNOMED.contains(code.trim());
	}

}
