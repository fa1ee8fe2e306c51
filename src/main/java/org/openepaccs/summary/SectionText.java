package org.openepaccs.summary;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Locale;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.hl7.fhir.r4.model.BaseDateTimeType;

/**
 * A section's human-readable narrative: paragraphs and a list, escaped, as the XHTML a
 * FHIR narrative must be. Dates and times are written the way English clinicians read
 * them, in UK time.
 */
final class SectionText {

	static final ZoneId UK = ZoneId.of("Europe/London");

	private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.UK).withZone(UK);

	private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm", Locale.UK)
		.withZone(UK);

	private final StringBuilder paragraphs = new StringBuilder();

	private final StringBuilder items = new StringBuilder();

	SectionText paragraph(String text) {
		this.paragraphs.append("<p>").append(escape(text)).append("</p>");
		return this;
	}

	/**
	 * One thing the section lists, in bold where a clinician must not miss it, with when
	 * it was last changed and by whom.
	 */
	SectionText item(String text, String changed, boolean emphasised) {
		this.items.append("<li>").append(emphasised ? "<b>" : "").append(escape(text)).append(emphasised ? "</b>" : "");
		if (changed != null) {
			this.items.append(" <i>(").append(escape(changed)).append(")</i>");
		}
		this.items.append("</li>");
		return this;
	}

	boolean isEmpty() {
		return this.paragraphs.isEmpty() && this.items.isEmpty();
	}

	String div() {
		return "<div xmlns=\"http://www.w3.org/1999/xhtml\">" + this.paragraphs
				+ (this.items.isEmpty() ? "" : "<ul>" + this.items + "</ul>") + "</div>";
	}

	static String escape(String text) {
		StringBuilder escaped = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			switch (c) {
				case '&' -> escaped.append("&amp;");
				case '<' -> escaped.append("&lt;");
				case '>' -> escaped.append("&gt;");
				case '"' -> escaped.append("&quot;");
				default -> {
					// control characters are not allowed in XHTML
					if (c >= ' ' || c == '\n' || c == '\t') {
						escaped.append(c);
					}
				}
			}
		}
		return escaped.toString();
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
