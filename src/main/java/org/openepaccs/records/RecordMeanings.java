package org.openepaccs.records;

import java.util.Set;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.openepaccs.conformance.ConformancePackage;

import static org.openepaccs.common.Systems.SNOMED;

/**
 * What a resource's codes make it in a person's record, for every package that reads the
 * record: the rules that guard writes ({@link RecordRulesInterceptor}), the register, the
 * summary. One definition, so that what the rules hold and what the summary shows cannot
 * drift apart.
 */
public final class RecordMeanings {

	/** SNOMED CT 103735009 |Palliative care|: the type of a register entry. */
	public static final String PALLIATIVE_CARE = "103735009";

	/** The extension that ranks a stated preference: 1 is the first choice. */
	public static final String RANK_EXTENSION = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-preference-rank";

	private RecordMeanings() {
	}

	/** A palliative care register entry: an EpisodeOfCare of type 103735009. */
	public static boolean isRegisterEntry(EpisodeOfCare episode) {
		return episode.getType().stream().anyMatch((type) -> type.hasCoding(SNOMED, PALLIATIVE_CARE));
	}

	/**
	 * Whether the concept holds one of the codes, each given as {@code system|code}.
	 */
	public static boolean hasCode(CodeableConcept concept, Set<String> codes) {
		if (concept == null) {
			return false;
		}
		for (Coding coding : concept.getCoding()) {
			if (codes.contains(coding.getSystem() + "|" + coding.getCode())) {
				return true;
			}
		}
		return false;
	}

	/** The rank of a stated preference (1 = first choice), or 0 without one. */
	public static int rank(Observation observation) {
		if (observation.getExtensionByUrl(RANK_EXTENSION) != null
				&& observation.getExtensionByUrl(RANK_EXTENSION).getValue() instanceof PositiveIntType rank) {
			return rank.getValue();
		}
		return 0;
	}

}
