package org.openepaccs.summary;

import java.util.List;
import java.util.Objects;

import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Type;

/**
 * How recorded values read in a narrative: a coded concept by its text or its first
 * display, a quantity with its unit, an attachment by its title and address. Every
 * section words them alike, so that the same value reads the same wherever it shows.
 */
final class Wording {

	private Wording() {
	}

	static String text(CodeableConcept concept) {
		if (concept == null || concept.isEmpty()) {
			return "(not coded)";
		}
		if (concept.hasText()) {
			return concept.getText();
		}
		return concept.getCoding()
			.stream()
			.map((coding) -> coding.hasDisplay() ? coding.getDisplay() : coding.getCode())
			.filter(Objects::nonNull)
			.findFirst()
			.orElse("(not coded)");
	}

	static String text(List<CodeableConcept> concepts) {
		return concepts.isEmpty() ? "(not coded)" : text(concepts.get(0));
	}

	/** Appends a value after the separator, or nothing when there is no value to say. */
	static void appendValue(StringBuilder line, Type value, String separator) {
		if (value == null || value.isEmpty()) {
			return;
		}
		if (value instanceof CodeableConcept concept) {
			line.append(separator).append(text(concept));
		}
		else if (value instanceof Quantity quantity) {
			line.append(separator)
				.append(quantity.getValue().toPlainString())
				.append(quantity.hasUnit() ? " " + quantity.getUnit() : "");
		}
		else if (value.isPrimitive()) {
			line.append(separator).append(value.primitiveValue());
		}
	}

	static String attachment(Attachment attachment) {
		if (attachment.hasTitle() && attachment.hasUrl()) {
			return attachment.getTitle() + " <" + attachment.getUrl() + ">";
		}
		return attachment.hasTitle() ? attachment.getTitle()
				: attachment.hasUrl() ? attachment.getUrl() : "attached document";
	}

}
