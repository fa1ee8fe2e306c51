package org.openepaccs.common;

/**
 * The code and identifier systems the server's own code names, in one place (the
 * conformance package's JSON spells them out as FHIR does).
 */
public final class Systems {

	/** SNOMED CT. */
	public static final String SNOMED = "http://snomed.info/sct";

	/** ICD-10 (WHO), as FHIR names it. */
	public static final String ICD10 = "http://hl7.org/fhir/sid/icd-10";

	/** LOINC. */
	public static final String LOINC = "http://loinc.org";

	/** NHS ODS organisation codes (the US spelling is the system's). */
	public static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";

	private Systems() {
	}

}
