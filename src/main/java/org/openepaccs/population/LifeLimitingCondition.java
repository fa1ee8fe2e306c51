package org.openepaccs.population;

import org.openepaccs.population.SyntheticResources.Code;

import static org.openepaccs.common.Systems.ICD10;

/**
 * A child's or young person's life-limiting condition, and how many in a thousand
 * synthetic children on the register have each.
 * <p>
 * The mix follows the diagnostic groups of the 216,119 life-limiting diagnoses of
 * children and young people (0–19) in England's Hospital Episode Statistics, 2000/01 to
 * 2009/10 (Fraser et al., "Rising national prevalence of life-limiting conditions in
 * children in England", Pediatrics 2012;129(4):e923–9): congenital 30.7%, oncology 13.7%,
 * neurological 12.0%, haematology 9.8%, respiratory 8.8%, perinatal 7.7%, genitourinary
 * 6.2%, metabolic 3.8%, circulatory 3.8%, gastrointestinal 2.4% and other 1.1%. Each
 * group is given nine tenths of its share, as for adults a tenth is left without a coded
 * diagnosis; "other", which names no condition, joins that tenth. Each group is coded by
 * one condition of the group, in ICD-10 with WHO's ICD-10 (2019) titles: which condition
 * stands for its group is a choice, and only the group matters to the metrics (a brain
 * tumour is cancer by ICD-10 chapter II; sickle-cell anaemia, a D code outside it, is
 * not).
 */
enum LifeLimitingCondition implements PrimaryDiagnosis {

	CONGENITAL(new Code(ICD10, "Q23.4", "Hypoplastic left heart syndrome"), 276),

	ONCOLOGY(new Code(ICD10, "C71.9", "Brain, unspecified"), "Brain tumour", 123),

	NEUROLOGICAL(new Code(ICD10, "G71.0", "Muscular dystrophy"), 108),

	HAEMATOLOGY(new Code(ICD10, "D57.1", "Sickle-cell anaemia without crisis"), "Sickle cell disease", 88),

	RESPIRATORY(new Code(ICD10, "E84.9", "Cystic fibrosis, unspecified"), "Cystic fibrosis", 79),

	PERINATAL(new Code(ICD10, "P91.6", "Hypoxic ischaemic encephalopathy of newborn"),
			"Hypoxic ischaemic encephalopathy", 69),

	GENITOURINARY(new Code(ICD10, "N18.5", "Chronic kidney disease, stage 5"), 56),

	METABOLIC(new Code(ICD10, "E76.0", "Mucopolysaccharidosis, type I"), "Mucopolysaccharidosis type I", 34),

	CIRCULATORY(new Code(ICD10, "I42.0", "Dilated cardiomyopathy"), 34),

	GASTROINTESTINAL(new Code(ICD10, "K72.1", "Chronic hepatic failure"), "Chronic liver failure", 22),

	NOT_RECORDED(null, null, 111);

	private final Code code;

	private final String text;

	private final int perThousand;

	LifeLimitingCondition(Code code, int perThousand) {
		this(code, code.display(), perThousand);
	}

	LifeLimitingCondition(Code code, String text, int perThousand) {
		this.code = code;
		this.text = text;
		this.perThousand = perThousand;
	}

	/** The condition drawn by {@code draw}, 0–999. */
	static LifeLimitingCondition of(int draw) {
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

	@Override
	public Code code(boolean female) {
		return this.code;
	}

	@Override
	public String text(boolean female) {
		return this.text;
	}

}
