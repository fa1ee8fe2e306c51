package org.openepaccs.summary;

import java.util.List;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Extension;
import org.openepaccs.conformance.ConformancePackage;

import static org.openepaccs.summary.Wording.attachment;

/**
 * Advance decision to refuse treatment, lasting power of attorney and consent: the active
 * advance decisions and powers of attorney in bold, and whether the person consented to
 * share this record.
 */
final class LegalSection {

	private static final String LPA_COVERS_LIFE_SUSTAINING = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-lpa-covers-life-sustaining-treatment";

	private LegalSection() {
	}

	static Section of(PlanRecord record, Names names, SummaryCodes codes) {
		Section section = new Section("Advance decision to refuse treatment, lasting power of attorney and consent",
				SectionCode.ADVANCE_DIRECTIVES);
		List<Consent> consents = record.all(Consent.class)
			.stream()
			.filter((consent) -> consent.getStatus() == Consent.ConsentState.ACTIVE
					|| consent.getStatus() == Consent.ConsentState.REJECTED)
			.toList();
		boolean any = false;
		for (Consent consent : consents) {
			if (consent.getStatus() == Consent.ConsentState.ACTIVE
					&& SummaryCodes.in(consent.getCategory(), codes.adrt())) {
				any = true;
				StringBuilder line = new StringBuilder("Advance decision to refuse treatment");
				String refused = consent.getProvision()
					.getCode()
					.stream()
					.map(Wording::text)
					.collect(Collectors.joining("; "));
				if (!refused.isEmpty()) {
					line.append(": refuses ").append(refused);
				}
				if (consent.hasSourceAttachment()) {
					line.append("; document: ").append(attachment(consent.getSourceAttachment()));
				}
				else if (consent.hasSourceReference()) {
					line.append("; document: ").append(names.of(consent.getSourceReference()));
				}
				section.add(consent, line.toString(), names, record, true);
			}
			else if (consent.getStatus() == Consent.ConsentState.ACTIVE
					&& SummaryCodes.in(consent.getCategory(), codes.lpa())) {
				any = true;
				StringBuilder line = new StringBuilder("Lasting power of attorney for health and welfare");
				String attorneys = consent.getProvision()
					.getActor()
					.stream()
					.map((actor) -> names.withContacts(actor.getReference()))
					.collect(Collectors.joining("; "));
				if (!attorneys.isEmpty()) {
					line.append(": ").append(attorneys);
				}
				Extension covers = consent.getExtensionByUrl(LPA_COVERS_LIFE_SUSTAINING);
				line.append("; covers life-sustaining treatment: ")
					.append((covers == null || !covers.hasValue()) ? "not stated"
							: "true".equals(covers.getValue().primitiveValue()) ? "yes" : "no");
				section.add(consent, line.toString(), names, record, true);
			}
			else if (consent.getScope()
				.getCoding()
				.stream()
				.anyMatch((coding) -> "patient-privacy".equals(coding.getCode()))) {
				boolean refused = consent.getStatus() == Consent.ConsentState.REJECTED
						|| consent.getProvision().getType() == Consent.ConsentProvisionType.DENY;
				section.add(consent, "Consent to share this record: " + (refused ? "refused" : "given")
						+ (consent.hasDateTime() ? " on " + SectionText.when(consent.getDateTimeElement()) : ""), names,
						record, false);
			}
		}
		if (!any) {
			section.text().paragraph("No advance decision to refuse treatment or lasting power of attorney recorded.");
		}
		return section;
	}

}
