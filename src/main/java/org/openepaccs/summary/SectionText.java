package org.openepaccs.summary;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.utilities.xhtml.NodeType;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;

/**
 * A section's human-readable narrative: paragraphs and a list, as the XHTML a FHIR
 * narrative must be. Dates and times are written the way English clinicians read them, in
 * UK time.
 */
final class SectionText {

	static final ZoneId UK = ZoneId.of("Europe/London");

	private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.UK).withZone(UK);

	private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm", Locale.UK)
		.withZone(UK);

	private final List<String> paragraphs = new ArrayList<>();

	private final List<Item> items = new ArrayList<>();

	SectionText paragraph(String text) {
		this.paragraphs.add(text);
		return this;
	}

	/**
	 * One thing the section lists, in bold where a clinician must not miss it, with when
	 * it was last changed and by whom.
	 */
	SectionText item(String text, String changed, boolean emphasised) {
		this.items.add(new Item(text, changed, emphasised));
		return this;
	}

	/**
	 * The narrative as XHTML nodes, built directly: setting a narrative from a string
	 * parses it, and HAPI's parser rebuilds its table of character entities each time,
	 * which would be most of the work of building a summary.
	 */
	XhtmlNode div() {
		XhtmlNode div = new XhtmlNode(NodeType.Element, "div");
		div.setAttribute("xmlns", "http://www.w3.org/1999/xhtml");
		this.paragraphs.forEach((text) -> div.addTag("p").addText(clean(text)));
		if (!this.items.isEmpty()) {
			XhtmlNode list = div.addTag("ul");
			for (Item item : this.items) {
				XhtmlNode entry = list.addTag("li");
				(item.emphasised() ? entry.addTag("b") : entry).addText(clean(item.text()));
				if (item.changed() != null) {
					entry.addText(" ");
					entry.addTag("i").addText("(" + clean(item.changed()) + ")");
				}
			}
		}
		return div;
	}

	/**
	 * Without control characters, which XHTML does not allow; the writer escapes the
	 * rest.
	 */
	static String clean(String text) {
		StringBuilder cleaned = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			if (c >= ' ' || c == '\n' || c == '\t') {
				cleaned.append(c);
			}
		}
		return cleaned.toString();
	}

	private record Item(String text, String changed, boolean emphasised) {

	}

	/** A FHIR date or date-time at the precision it was recorded with. */
	static String when(BaseDateTimeType value) {
		if (value == null || value.getValue() == null) {
			return null;
		}
		if (value.getPrecision().ordinal() <= TemporalPrecisionEnum.DAY.ordinal()) {
			// by its fields, not its instant: a date has no time zone to convert from
			return (value.getPrecision() == TemporalPrecisionEnum.DAY)
					? DAY.format(java.time.LocalDate.of(value.getYear(), value.getMonth() + 1, value.getDay()))
					: value.getValueAsString();
		}
		return MINUTE.format(value.getValue().toInstant());
	}

	static String when(Date value) {
		return (value != null) ? MINUTE.format(value.toInstant()) : null;
	}

	static String when(Instant value) {
		return (value != null) ? MINUTE.format(value) : null;
	}

}
