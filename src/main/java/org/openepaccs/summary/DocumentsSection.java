package org.openepaccs.summary;

import java.util.List;

import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;

import static org.openepaccs.summary.Wording.attachment;
import static org.openepaccs.summary.Wording.text;

/**
 * Documents: each current document with its description, date and where to find its
 * content.
 */
final class DocumentsSection {

	private DocumentsSection() {
	}

	static Section of(PlanRecord record, Names names) {
		Section section = new Section("Documents", SectionCode.ADVANCE_DIRECTIVES);
		List<DocumentReference> documents = record.all(DocumentReference.class)
			.stream()
			.filter((document) -> document.getStatus() == Enumerations.DocumentReferenceStatus.CURRENT)
			.toList();
		if (documents.isEmpty()) {
			section.text().paragraph("No documents recorded.");
		}
		for (DocumentReference document : documents) {
			StringBuilder line = new StringBuilder(text(document.getType()));
			if (document.hasDescription()) {
				line.append(": ").append(document.getDescription());
			}
			if (document.hasDate()) {
				line.append(", ").append(SectionText.when(document.getDate()));
			}
			document.getContent().forEach((content) -> line.append("; ").append(attachment(content.getAttachment())));
			section.add(document, line.toString(), names, record, false);
		}
		return section;
	}

}
