package org.openepaccs.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
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

	/** The members of a Bundle entry's request, all strings in FHIR JSON. */
	private static final java.util.Set<String> REQUEST_STRINGS = java.util.Set.of("method", "url", "ifNoneMatch",
			"ifModifiedSince", "ifMatch", "ifNoneExist");

	private static final XMLInputFactory xml = newXmlInputFactory();

	private final HttpProperties.Limits limits;

	private final QueryLimits queryLimits;

	ContentLimits(HttpProperties.Limits limits) {
		this.limits = limits;
		this.queryLimits = new QueryLimits(limits);
	}

	/**
	 * What a body is for: a transaction or batch, and a PATCH, have limits of their own
	 * on their top-level list.
	 */
	enum Body {

		RESOURCE, TRANSACTION, PATCH

	}

	/**
	 * What is wrong with this JSON resource body, or null if nothing the limits cover.
	 */
	String checkJson(byte[] body) {
		return checkJson(body, Body.RESOURCE);
	}

	/** What is wrong with this JSON body, or null if nothing the limits cover. */
	String checkJson(byte[] body, Body kind) {
		try (JsonParser parser = json.createParser(body)) {
			int depth = 0;
			// per open object, its arrays' null and non-null indexes (see checkNulls)
			Deque<Map<String, Elements>> objects = new ArrayDeque<>();
			// per open object, whether it is a resource (see ResourceCounts)
			Deque<Boolean> resources = new ArrayDeque<>();
			ResourceCounts counts = new ResourceCounts(this.limits);
			for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
				if (token != JsonToken.FIELD_NAME && token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
					String problem = checkArrayLength(parser, token, kind);
					if (problem == null && kind == Body.TRANSACTION) {
						problem = checkEntryShape(parser.getParsingContext(), token);
					}
					if (problem == null) {
						problem = countElement(parser, token, kind, counts, resources);
					}
					if (problem != null) {
						return problem;
					}
					recordElement(parser.getParsingContext(), token, objects);
				}
				if (token == JsonToken.END_OBJECT && !resources.isEmpty() && resources.pop()) {
					counts.leaveResource();
				}
				switch (token) {
					case FIELD_NAME -> {
						String problem = checkName(parser.currentName());
						if (problem != null) {
							String where = parser.getParsingContext().getParent().pathAsPointer().toString();
							return "The member name at " + (where.isEmpty() ? "the top level" : where) + " " + problem;
						}
					}
					case END_OBJECT -> {
						depth--;
						String problem = checkNulls(objects.pop());
						if (problem != null) {
							return "The object at " + parser.getParsingContext().pathAsPointer() + " " + problem;
						}
					}
					case START_OBJECT, START_ARRAY -> {
						if (token == JsonToken.START_OBJECT) {
							objects.push(new HashMap<>());
						}
						if (++depth > this.limits.maxNestingDepth()) {
							return "The body is nested more than " + this.limits.maxNestingDepth() + " levels deep at "
									+ parser.getParsingContext().pathAsPointer();
						}
					}
					case END_ARRAY -> depth--;
					case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
						String problem = checkDecimal(parser.getText());
						if (problem != null) {
							return "The number at " + parser.getParsingContext().pathAsPointer() + " " + problem;
						}
					}
					case VALUE_STRING -> {
						String problem = checkString(parser.getTextCharacters(), parser.getTextOffset(),
								parser.getTextLength());
						if (problem != null) {
							return "The string at " + parser.getParsingContext().pathAsPointer() + " " + problem;
						}
						if (kind == Body.TRANSACTION) {
							problem = checkEntrySearch(parser.getParsingContext(), parser.getText());
							if (problem != null) {
								return problem;
							}
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
	 * Counts a value towards the elements and extensions of the resource it is in,
	 * opening a resource's count at the body's top-level object (unless the body is a
	 * transaction or batch) and at the value of each {@code resource} member.
	 */
	private static String countElement(JsonParser parser, JsonToken token, Body kind, ResourceCounts counts,
			Deque<Boolean> resources) {
		JsonStreamContext context = parser.getParsingContext();
		JsonStreamContext holder = token.isStructStart() ? context.getParent() : context;
		if (token == JsonToken.START_OBJECT) {
			boolean resource = (holder != null && holder.inRoot() && kind != Body.TRANSACTION)
					|| (holder != null && holder.inObject() && "resource".equals(holder.getCurrentName()));
			resources.push(resource);
			if (resource) {
				counts.enterResource();
				return null;
			}
		}
		if (token == JsonToken.START_ARRAY) {
			// an array is the repetitions of an element, not an element of its own
			return null;
		}
		boolean extension = holder != null && holder.inArray() && holder.getParent() != null
				&& ResourceCounts.isExtension(holder.getParent().getCurrentName());
		return counts.count(extension, holder != null ? holder.pathAsPointer().toString() : "");
	}

	/**
	 * Checks the length of the array a value is in, counting the value: the value's index
	 * is its array's length so far.
	 */
	private String checkArrayLength(JsonParser parser, JsonToken token, Body kind) {
		JsonStreamContext context = parser.getParsingContext();
		JsonStreamContext array = token.isStructStart() ? context.getParent() : context;
		if (array == null || !array.inArray()) {
			return null;
		}
		int length = array.getCurrentIndex() + 1;
		JsonStreamContext owner = array.getParent();
		boolean topLevel = owner != null
				&& (owner.inRoot() || (owner.inObject() && owner.getParent() != null && owner.getParent().inRoot()));
		String topLevelName = (owner != null && owner.inObject()) ? owner.getCurrentName() : null;
		if (topLevel && kind == Body.TRANSACTION && "entry".equals(topLevelName)
				&& length > this.limits.maxTransactionEntries()) {
			return tooManyEntries();
		}
		if (topLevel && kind == Body.PATCH && (owner.inRoot() || "parameter".equals(topLevelName))
				&& length > this.limits.maxPatchOperations()) {
			return tooManyPatchOperations();
		}
		if (length > this.limits.maxArrayLength()) {
			// the array's pointer ends with the index of the element being read
			String where = array.pathAsPointer().head().toString();
			return "The array at " + (where.isEmpty() ? "the top level" : where) + " has more than "
					+ this.limits.maxArrayLength() + " elements; this server accepts at most "
					+ HttpProperties.Limits.describe("max-array-length", this.limits.maxArrayLength());
		}
		return null;
	}

	/**
	 * What is wrong with a string's characters, phrased to follow "The string at X", or
	 * null. PostgreSQL cannot store a NUL character, and FHIR forbids it.
	 */
	private String checkString(char[] text, int offset, int length) {
		long limit = this.limits.maxStringLength().toBytes();
		if (length > limit) {
			return "has " + length + " characters; this server accepts strings of at most "
					+ HttpProperties.Limits.describe("max-string-length", limit) + " characters";
		}
		for (int i = offset; i < offset + length; i++) {
			if (text[i] == 0) {
				return "contains a NUL character (\\u0000), which FHIR does not allow in a string";
			}
			String problem = checkSurrogate(text, i, offset, offset + length);
			if (problem != null) {
				return problem;
			}
		}
		return null;
	}

	/**
	 * A UTF-16 surrogate that is not half of a pair (JSON's {@code \\ud800} escape can
	 * write one) is no character at all: no database can store it, and UTF-8 cannot
	 * encode it.
	 */
	private static String checkSurrogate(char[] text, int i, int start, int end) {
		char c = text[i];
		if (Character.isHighSurrogate(c) && (i + 1 >= end || !Character.isLowSurrogate(text[i + 1]))
				|| Character.isLowSurrogate(c) && (i == start || !Character.isHighSurrogate(text[i - 1]))) {
			return "contains a lone UTF-16 surrogate (\\u" + Integer.toHexString(c)
					+ "), which is not a character: escape a character outside the Basic Multilingual Plane as a "
					+ "surrogate pair, or send it as UTF-8";
		}
		return null;
	}

	/**
	 * What is wrong with a JSON member name, phrased to follow "The member name at X", or
	 * null. FHIR names every element: an empty name (or a bare {@code _}) names none.
	 */
	private static String checkName(String name) {
		if (name == null || name.isEmpty() || name.equals("_")) {
			return "is empty: every member of a FHIR JSON object is named after an element, such as \"family\"";
		}
		char[] chars = name.toCharArray();
		for (int i = 0; i < chars.length; i++) {
			String problem = checkSurrogate(chars, i, 0, chars.length);
			if (problem != null) {
				return problem;
			}
		}
		return null;
	}

	/**
	 * Which elements of an array are null, for an array that is a member of an object.
	 */
	private static final class Elements {

		private final BitSet nulls = new BitSet();

		private final BitSet values = new BitSet();

	}

	private static void recordElement(JsonStreamContext context, JsonToken token,
			Deque<Map<String, Elements>> objects) {
		JsonStreamContext array = token.isStructStart() ? context.getParent() : context;
		if (array == null || !array.inArray() || array.getParent() == null || !array.getParent().inObject()
				|| objects.isEmpty()) {
			return;
		}
		// a START_OBJECT's own frame is pushed after this: the top is the array's owner
		Elements elements = objects.peek().computeIfAbsent(array.getParent().getCurrentName(), (key) -> new Elements());
		(token == JsonToken.VALUE_NULL ? elements.nulls : elements.values).set(array.getCurrentIndex());
	}

	/**
	 * FHIR JSON writes a repeating primitive as two arrays, {@code given} for the values
	 * and {@code _given} for their ids and extensions, and allows {@code null} only as a
	 * placeholder: where one array has null, the other has something. Anywhere else a
	 * null stands for nothing, which the parser and validator cannot represent.
	 */
	private static String checkNulls(Map<String, Elements> arrays) {
		for (Map.Entry<String, Elements> array : arrays.entrySet()) {
			BitSet nulls = array.getValue().nulls;
			if (nulls.isEmpty()) {
				continue;
			}
			String name = array.getKey();
			String sibling = name.startsWith("_") ? name.substring(1) : "_" + name;
			Elements other = arrays.get(sibling);
			BitSet unmatched = (BitSet) nulls.clone();
			if (other != null) {
				unmatched.andNot(other.values);
			}
			if (!unmatched.isEmpty()) {
				return "has null at " + name + "[" + unmatched.nextSetBit(0) + "] with nothing at " + sibling + "["
						+ unmatched.nextSetBit(0) + "]: FHIR JSON allows null in an array only as the placeholder "
						+ "for a value or extension the matching array holds";
			}
		}
		return null;
	}

	/**
	 * A transaction's or batch's entries as FHIR JSON shapes them: each entry an object,
	 * its {@code request}, {@code resource} and {@code response} objects, and the members
	 * of its {@code request} strings. HAPI's parser reads a {@code request} sent as an
	 * array, or a string, as if it were absent or as its first element.
	 */
	private static String checkEntryShape(JsonStreamContext context, JsonToken token) {
		JsonStreamContext at = token.isStructStart() ? context.getParent() : context;
		if (at == null) {
			return null;
		}
		if (at.inArray() && isTopLevelMember(at.getParent(), "entry")) {
			return (token == JsonToken.START_OBJECT) ? null
					: "Bundle.entry[" + at.getCurrentIndex() + "] must be an object with request (and resource)";
		}
		if (!at.inObject() || at.getParent() == null || !at.getParent().inArray()
				|| !isTopLevelMember(at.getParent().getParent(), "entry")) {
			if (at.inObject() && "request".equals(at.getParent() != null ? at.getParent().getCurrentName() : null)
					&& at.getParent().inObject() && at.getParent().getParent() != null
					&& at.getParent().getParent().inArray()
					&& isTopLevelMember(at.getParent().getParent().getParent(), "entry")
					&& REQUEST_STRINGS.contains(at.getCurrentName()) && token != JsonToken.VALUE_STRING) {
				return "Bundle.entry[" + at.getParent().getParent().getCurrentIndex() + "].request."
						+ at.getCurrentName() + " must be a string";
			}
			return null;
		}
		String member = at.getCurrentName();
		boolean object = "request".equals(member) || "resource".equals(member) || "response".equals(member)
				|| "search".equals(member);
		if (object && token != JsonToken.START_OBJECT) {
			return "Bundle.entry[" + at.getParent().getCurrentIndex() + "]." + member + " must be an object";
		}
		return null;
	}

	/** Whether a context is the member {@code name} of the top-level object. */
	private static boolean isTopLevelMember(JsonStreamContext context, String name) {
		return context != null && context.inObject() && name.equals(context.getCurrentName())
				&& context.getParent() != null && context.getParent().inRoot();
	}

	/**
	 * Checks the search in a transaction entry's {@code request.url} or
	 * {@code request.ifNoneExist} as {@link QueryLimits} checks a request's own: HAPI
	 * runs it as a search.
	 */
	private String checkEntrySearch(JsonStreamContext context, String text) {
		JsonStreamContext request = context.getParent();
		if (request == null || !"request".equals(request.getCurrentName())) {
			return null;
		}
		return checkEntrySearch(context.getCurrentName(), text, context.pathAsPointer().toString());
	}

	private String checkEntrySearch(String name, String text, String where) {
		boolean search = ("url".equals(name) && text.indexOf('?') >= 0) || "ifNoneExist".equals(name);
		return search ? this.queryLimits.checkMatchUrl(where, text) : null;
	}

	private String tooManyEntries() {
		return "The Bundle has more than " + this.limits.maxTransactionEntries()
				+ " entries; this server accepts transactions and batches of at most "
				+ HttpProperties.Limits.describe("max-transaction-entries", this.limits.maxTransactionEntries())
				+ " entries. Split it into several smaller ones.";
	}

	private String tooManyPatchOperations() {
		return "The patch has more than " + this.limits.maxPatchOperations()
				+ " operations; this server accepts at most "
				+ HttpProperties.Limits.describe("max-patch-operations", this.limits.maxPatchOperations());
	}

	/** What is wrong with this XML resource body, or null. */
	String checkXml(byte[] body) {
		return checkXml(body, Body.RESOURCE);
	}

	/**
	 * What is wrong with this XML body, or null. Only numbers written with an exponent
	 * are checked: a long run of digits in an XML {@code value} may be an identifier. A
	 * repeated element is XML's array, so its repetitions count as an array's length.
	 */
	String checkXml(byte[] body, Body kind) {
		XMLStreamReader reader = null;
		try {
			reader = xml.createXMLStreamReader(new ByteArrayInputStream(body));
			int depth = 0;
			String[] lastChild = new String[this.limits.maxNestingDepth() + 2];
			int[] repetitions = new int[this.limits.maxNestingDepth() + 2];
			// the depths at which open resources start (see ResourceCounts)
			Deque<Integer> resources = new ArrayDeque<>();
			ResourceCounts counts = new ResourceCounts(this.limits);
			while (reader.hasNext()) {
				int event = reader.next();
				if (event == XMLStreamConstants.START_ELEMENT) {
					if (++depth > this.limits.maxNestingDepth()) {
						return "The body is nested more than " + this.limits.maxNestingDepth()
								+ " levels deep at element <" + reader.getLocalName() + ">";
					}
					String name = reader.getLocalName();
					repetitions[depth] = name.equals(lastChild[depth]) ? repetitions[depth] + 1 : 1;
					lastChild[depth] = name;
					lastChild[depth + 1] = null;
					String problem = null;
					if ((depth == 1 && kind != Body.TRANSACTION)
							|| (depth > 1 && "resource".equals(lastChild[depth - 1]))) {
						resources.push(depth);
						counts.enterResource();
					}
					else {
						problem = counts.count(ResourceCounts.isExtension(name), "element <" + name + ">");
					}
					if (problem == null) {
						problem = checkRepetitions(name, depth, repetitions[depth], kind);
					}
					if (problem == null) {
						problem = checkXmlValue(reader);
					}
					if (problem == null && kind == Body.TRANSACTION && depth == 4 && "request".equals(lastChild[3])) {
						String value = reader.getAttributeValue(null, "value");
						problem = (value != null) ? checkEntrySearch(name, value, "<request><" + name + ">") : null;
					}
					if (problem != null) {
						return problem;
					}
				}
				else if (event == XMLStreamConstants.END_ELEMENT) {
					if (!resources.isEmpty() && resources.peek() == depth) {
						resources.pop();
						counts.leaveResource();
					}
					depth--;
				}
				else if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA) {
					String problem = checkString(reader.getTextCharacters(), reader.getTextStart(),
							reader.getTextLength());
					if (problem != null) {
						return "The text in the body " + problem;
					}
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

	private String checkRepetitions(String name, int depth, int count, Body kind) {
		if (depth == 2 && kind == Body.TRANSACTION && "entry".equals(name)
				&& count > this.limits.maxTransactionEntries()) {
			return tooManyEntries();
		}
		if (depth == 2 && kind == Body.PATCH && "parameter".equals(name) && count > this.limits.maxPatchOperations()) {
			return tooManyPatchOperations();
		}
		if (count > this.limits.maxArrayLength()) {
			return "The element <" + name + "> is repeated more than " + this.limits.maxArrayLength()
					+ " times; this server accepts at most "
					+ HttpProperties.Limits.describe("max-array-length", this.limits.maxArrayLength());
		}
		return null;
	}

	private String checkXmlValue(XMLStreamReader reader) {
		String value = reader.getAttributeValue(null, "value");
		if (value == null) {
			return null;
		}
		String problem = checkString(value.toCharArray(), 0, value.length());
		if (problem == null) {
			problem = checkNumberWithExponent(value);
		}
		return (problem != null) ? "The value of <" + reader.getLocalName() + "> " + problem : null;
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
		// a number has a digit before its exponent: "E82041" is a practice's ODS code
		boolean number = matcher.matches() && matcher.group("exp") != null && (matcher.group("int").length()
				+ ((matcher.group("frac") != null) ? matcher.group("frac").length() : 0)) > 0;
		return number ? checkDecimal(matcher) : null;
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
		// one event per text node, so that a long text is measured whole
		factory.setProperty(XMLInputFactory.IS_COALESCING, true);
		// the string limit is ours to enforce and name; the body is already bounded
		for (String woodstoxLimit : new String[] { "com.ctc.wstx.maxAttributeSize", "com.ctc.wstx.maxTextLength" }) {
			if (factory.isPropertySupported(woodstoxLimit)) {
				factory.setProperty(woodstoxLimit, Integer.MAX_VALUE);
			}
		}
		return factory;
	}

}
