package org.openepaccs.population;

/**
 * The NHS Data Dictionary ETHNIC CATEGORY codes, as UK Core's code system for England
 * names them, and how many in a thousand synthetic people have each: roughly England's
 * 2021 census, with a share not stated as GP records have. The census groups these older
 * codes have no place for (Gypsy or Irish Traveller, Roma, Arab) are counted under C and
 * S.
 */
enum EthnicCategory implements PerThousand {

	A("White - British", 745), B("White - Irish", 10), C("White - Any other White background", 55),
	D("Mixed - White and Black Caribbean", 8), E("Mixed - White and Black African", 4), F("Mixed - White and Asian", 8),
	G("Mixed - Any other mixed background", 8), H("Asian or Asian British - Indian", 30),
	J("Asian or Asian British - Pakistani", 25), K("Asian or Asian British - Bangladeshi", 10),
	L("Asian or Asian British - Any other Asian background", 15), M("Black or Black British - Caribbean", 10),
	N("Black or Black British - African", 24), P("Black or Black British - Any other Black background", 4),
	R("Other Ethnic Groups - Chinese", 6), S("Other Ethnic Groups - Any other ethnic group", 13), Z("Not stated", 25);

	static final String SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland";

	static final String EXTENSION = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory";

	private final String display;

	private final int perThousand;

	EthnicCategory(String display, int perThousand) {
		this.display = display;
		this.perThousand = perThousand;
	}

	String code() {
		return name();
	}

	String display() {
		return this.display;
	}

	@Override
	public int perThousand() {
		return this.perThousand;
	}

	/** The category of a draw from 0 to 999: each takes as many draws as its share. */
	static EthnicCategory of(int draw) {
		return PerThousand.drawn(values(), draw);
	}

}
