package org.openepaccs.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Checks a request body or search value against {@link HttpProperties.Limits} with a
 * streaming scan that costs far less than the parse it protects. Decimals matter most:
 * HAPI expands {@code 1e999999} into a million-digit number (about 30 s of CPU per
 * value), and a stored {@code 1e-999999} makes every later read of the record fail. The
 * scan only refuses; anything it cannot read is left for HAPI's parser to report.
 */
final class ContentLimits {

	/**
	 * A decimal literal, as JSON writes it and as XML {@code value} attributes hold it.
	 */
	private static final Pattern DECIMAL = Pattern
		.compile("[+-]?(?<int>[0-9]*)(?:\\.(?<frac>[0-9]*))?(?:[eE](?<exp>[+-]?[0-9]+))?");

	/** A search value with a FHIR comparison prefix, e.g. {@code gt1e5}. */
	private static final Pattern SEARCH_NUMBER = Pattern.compile("(?:eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)");

	private static final JsonFactory json = JsonFactory.builder().build();

	private static final XMLInputFactory xml = newXmlInputFactory();

	private final HttpProperties.Limits limits;

	ContentLimits(HttpProperties.Limits limits) {
		this.limits = limits;
	}

	/** What is wrong with this JSON body, or null if nothing the limits cover. */
	String checkJson(byte[] body) {
		try (JsonParser parser = json.createParser(body)) {
			int depth = 0;
			for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
				switch (token) {
					case START_OBJECT, START_ARRAY -> {
						if (++depth > this.limits.maxNestingDepth()) {
							return "The body is nested more than " + this.limits.maxNestingDepth() + " levels deep at "
									+ parser.getParsingContext().pathAsPointer();
						}
					}
					case END_OBJECT, END_ARRAY -> depth--;
					case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
						String problem = checkDecimal(parser.getText());
						if (problem != null) {
							return "The number at " + parser.getParsingContext().pathAsPointer() + " " + problem;
						}
					}
					default -> {
					}
				}
			}
			return null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * What is wrong with this XML body, or null. Only numbers written with an exponent
	 * are checked: a long run of digits in an XML {@code value} may be an identifier.
	 */
	String checkXml(byte[] body) {
		XMLStreamReader reader = null;
		try {
			reader = xml.createXMLStreamReader(new ByteArrayInputStream(body));
			int depth = 0;
			while (reader.hasNext()) {
				int event = reader.next();
				if (event == XMLStreamConstants.START_ELEMENT) {
					if (++depth > this.limits.maxNestingDepth()) {
						return "The body is nested more than " + this.limits.maxNestingDepth()
								+ " levels deep at element <" + reader.getLocalName() + ">";
					}
					String problem = checkNumberWithExponent(reader.getAttributeValue(null, "value"));
					if (problem != null) {
						return "The number in <" + reader.getLocalName() + "> " + problem;
					}
				}
				else if (event == XMLStreamConstants.END_ELEMENT) {
					depth--;
				}
			}
			return null;
		}
		catch (XMLStreamException ex) {
			return null;
		}
		finally {
			if (reader != null) {
				try {
					reader.close();
				}
				catch (XMLStreamException ex) {
					// nothing held open: the body is in memory
				}
			}
		}
	}

	/**
	 * What is wrong with a number given as a search value, or null: the number may carry
	 * a comparison prefix and, for quantities, a {@code |system|code} tail.
	 */
	String checkSearchValue(String searchValue) {
		if (searchValue == null) {
			return null;
		}
		Matcher prefixed = SEARCH_NUMBER.matcher(searchValue.split("\\|", 2)[0]);
		String problem = prefixed.matches() ? checkNumberWithExponent(prefixed.group(1)) : null;
		return (problem != null) ? "The search value " + problem : null;
	}

	/**
	 * What is wrong with a text that is a decimal written with an exponent, or null for
	 * any other text: where the type is not known (XML attributes, search values), only
	 * an exponent tells a number from, say, an identifier made of digits.
	 */
	private String checkNumberWithExponent(String text) {
		if (text == null || (text.indexOf('e') < 0 && text.indexOf('E') < 0)) {
			return null;
		}
		Matcher matcher = DECIMAL.matcher(text.trim());
		return (matcher.matches() && matcher.group("exp") != null) ? checkDecimal(matcher) : null;
	}

	/**
	 * What is wrong with a decimal literal, phrased to follow "The number at X", or null.
	 */
	String checkDecimal(String literal) {
		Matcher matcher = DECIMAL.matcher(literal);
		return matcher.matches() ? checkDecimal(matcher) : null;
	}

	private String checkDecimal(Matcher matcher) {
		String integer = matcher.group("int");
		String fraction = (matcher.group("frac") != null) ? matcher.group("frac") : "";
		int digits = integer.length() + fraction.length();
		if (digits > this.limits.maxDecimalDigits()) {
			return "has " + digits + " digits; this server accepts decimals of at most "
					+ this.limits.maxDecimalDigits() + " digits";
		}
		String exponent = matcher.group("exp");
		if (exponent != null && !withinExponentLimit(exponent)) {
			return "has an exponent outside -" + this.limits.maxDecimalExponent() + " to +"
					+ this.limits.maxDecimalExponent() + ", the range this server accepts";
		}
		return null;
	}

	private boolean withinExponentLimit(String exponent) {
		String magnitude = exponent.replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
		return magnitude.length() <= 6 && Integer.parseInt(magnitude) <= this.limits.maxDecimalExponent();
	}

	private static XMLInputFactory newXmlInputFactory() {
		XMLInputFactory factory = XMLInputFactory.newFactory();
		// never resolve a DTD or an external entity from a request body
		factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		return factory;
	}

}
