package org.openepaccs.population;

import org.openepaccs.population.SyntheticResources.Code;

import static org.openepaccs.common.Systems.ICD10;

/**
 * An adult's primary palliative care diagnosis (a child's is a
 * {@link LifeLimitingCondition}), and how many in a thousand synthetic adults on the
 * register have each.
 * <p>
 * The mix follows the people with a primary-care record of palliative care among adults
 * who died with cancer, dementia, heart failure or COPD in England in 2013/14 (Gadoud et
 * al., "Palliative care for non-cancer conditions in primary care: a time trend analysis
 * in the UK (2009–2014)", BMJ Supportive &amp; Palliative Care, 2020): of 18,668
 * decedents with cancer 61.9% had such a record, of 7,339 with dementia 40.7%, of 6,409
 * with heart failure 21.2% and of 5,426 with COPD 21.2%, which makes 68% cancer, 18%
 * dementia, 8% heart failure and 7% COPD. A tenth more is left without a coded diagnosis,
 * which GP records have and the metrics count as "not recorded" (that share has no
 * published source). Cancer is spread evenly over four codes: no indicator depends on the
 * site. Non-cancer diagnoses are coded in ICD-10 and lung cancer too, so that both rules
 * of the metrics' diagnosis groups (ICD-10 chapter II, the package's cancer value set)
 * are exercised; the ICD-10 codes and titles are WHO's ICD-10 (2019), the SNOMED CT ones
 * are from the package's ValueSet epaccs-cancer.
 */
enum PalliativeDiagnosis implements PrimaryDiagnosis {

	LUNG_CANCER(new Code(ICD10, "C34.9", "Bronchus or lung, unspecified"), "Lung cancer", 153),

	BREAST_OR_PROSTATE_CANCER(null, "Breast or prostate cancer", 153),

	PANCREATIC_CANCER(Code.snomed("372003004", "Primary malignant neoplasm of pancreas (disorder)"),
			"Pancreatic cancer", 152),

	CANCER(Code.snomed("363346000", "Malignant neoplastic disease (disorder)"), "Cancer", 152),

	DEMENTIA(new Code(ICD10, "F03", "Unspecified dementia"), "Dementia", 158),

	HEART_FAILURE(new Code(ICD10, "I50.9", "Heart failure, unspecified"), "Heart failure", 72),

	COPD(new Code(ICD10, "J44.9", "Chronic obstructive pulmonary disease, unspecified"), "COPD", 60),

	NOT_RECORDED(null, null, 100);

	private static final Code BREAST = Code.snomed("372137005", "Primary malignant neoplasm of breast (disorder)");

	private static final Code PROSTATE = Code.snomed("93974005", "Primary malignant neoplasm of prostate (disorder)");

	private final Code code;

	private final String text;

	private final int perThousand;

	PalliativeDiagnosis(Code code, String text, int perThousand) {
		this.code = code;
		this.text = text;
		this.perThousand = perThousand;
	}

	/** The diagnosis drawn by {@code draw}, 0–999. */
	static PalliativeDiagnosis of(int draw) {
		return PerThousand.drawn(values(), draw);
	}

	@Override
	public int perThousand() {
		return this.perThousand;
	}

	@Override
	public boolean recorded() {
		return this != NOT_RECORDED;
	}

	/** The code for this person: breast cancer for a woman, prostate cancer for a man. */
	@Override
	public Code code(boolean female) {
		if (this == BREAST_OR_PROSTATE_CANCER) {
			return female ? BREAST : PROSTATE;
		}
		return this.code;
	}

	@Override
	public String text(boolean female) {
		if (this == BREAST_OR_PROSTATE_CANCER) {
			return female ? "Breast cancer" : "Prostate cancer";
		}
		return this.text;
	}

}
