package org.openepaccs.requests;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Parameters;
import org.openepaccs.common.Causes;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.http.HttpProperties;

import org.springframework.core.annotation.Order;

/**
 * Checks a PATCH before HAPI applies it, because plain HAPI answers the common mistakes
 * with a 500 (a NullPointerException, a FHIRPath lexer error, a StackOverflowError on a
 * long path): a PATCH without an id or search criteria, an empty body, a JSON Patch
 * operation without its {@code path} or {@code value}, a FHIRPath Patch operation without
 * a path, with a path that does not parse or is longer than the limit, or an {@code add}
 * without a {@code name}. Each gets 400 saying which operation is wrong.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class PatchRequestInterceptor implements FhirServerInterceptor {

	private static final Set<String> JSON_PATCH_OPS = Set.of("add", "remove", "replace", "move", "copy", "test");

	private static final Set<String> FHIR_PATCH_TYPES = Set.of("add", "insert", "delete", "replace", "move");

	private static final ObjectMapper json = new ObjectMapper();

	/**
	 * FHIRPath functions whose results are not reached from their parent as a child
	 * element: HAPI's FHIRPath Patch cannot put a change back through them (it fails with
	 * a NullPointerException, or silently changes nothing).
	 */
	private static final Pattern NON_ELEMENT_FUNCTION = Pattern
		.compile("\\b(descendants|children|repeat|aggregate|union|combine|trace)\\s*\\(");

	private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'");

	/** HAPI's FHIRPath Patch implementation. */
	private static final String FHIR_PATCH = "ca.uhn.fhir.jpa.patch.FhirPatch";

	private static final XMLInputFactory xml = newXmlInputFactory();

	private final FhirContext fhirContext;

	private final HttpProperties.Limits limits;

	PatchRequestInterceptor(FhirContext fhirContext, HttpProperties.Limits limits) {
		this.fhirContext = fhirContext;
		this.limits = limits;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean checkPatch(RequestDetails request) {
		if (request.getRequestType() != RequestTypeEnum.PATCH) {
			return true;
		}
		boolean hasId = request.getId() != null && request.getId().hasIdPart();
		boolean hasCriteria = request.getParameters() != null && !request.getParameters().isEmpty();
		if (!hasId && !hasCriteria) {
			throw new InvalidRequestException("PATCH needs the id of the resource to change (PATCH "
					+ "[base]/Patient/123) or search criteria that find it (PATCH [base]/Patient?identifier=...)");
		}
		byte[] body = request.loadRequestContents();
		if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
			throw new InvalidRequestException("The PATCH body is empty: send a JSON Patch (Content-Type "
					+ "application/json-patch+json) or a FHIRPath Patch (a Parameters resource)");
		}
		String contentType = request.getHeader(Constants.HEADER_CONTENT_TYPE);
		contentType = (contentType != null) ? contentType.toLowerCase(Locale.ROOT) : "";
		if (contentType.contains("json-patch")) {
			checkJsonPatch(body);
		}
		else if (contentType.contains("xml-patch")) {
			checkWellFormedXml(body);
		}
		else if (contentType.contains("json") || contentType.contains("xml")) {
			checkFhirPatch(body, contentType.contains("json"));
		}
		return true;
	}

	/**
	 * A PATCH in a transaction is applied by HAPI's own code without the checks above:
	 * the failures that can only come from the patch document are the client's.
	 */
	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException patchFailuresAreClientErrors(Throwable exception) {
		return Causes.first(exception, PatchRequestInterceptor::comesFromThePatch).map(this::answer).orElse(null);
	}

	/**
	 * The stored resource is valid, so a failure while HAPI applies a FHIRPath Patch to
	 * it comes from the patch: a path too deep, one that is not FHIRPath, or one that
	 * selects something other than an element of the resource, such as descendants() or
	 * children().
	 */
	private static boolean comesFromThePatch(Throwable cause) {
		return cause instanceof StackOverflowError
				|| cause.getClass().getName().endsWith("FHIRLexer$FHIRLexerException")
				|| (cause instanceof RuntimeException && !(cause instanceof BaseServerResponseException)
						&& thrownApplyingFhirPatch(cause));
	}

	private BaseServerResponseException answer(Throwable cause) {
		if (cause instanceof StackOverflowError) {
			return new InvalidRequestException("The request is nested too deeply to process, for example a "
					+ "FHIRPath Patch path: such paths may be at most "
					+ HttpProperties.Limits.describe("max-patch-path-length", this.limits.maxPatchPathLength())
					+ " characters long");
		}
		if (cause.getClass().getName().endsWith("FHIRLexer$FHIRLexerException")) {
			return new InvalidRequestException("A FHIRPath Patch path is not a valid FHIRPath expression");
		}
		return new InvalidRequestException("A FHIRPath Patch operation could not be applied: its path must "
				+ "select elements of the resource, such as Patient.name.where(use = 'official'); "
				+ "functions such as descendants(), children() or repeat() select values that cannot be "
				+ "changed in place");
	}

	private static boolean thrownApplyingFhirPatch(Throwable failure) {
		for (StackTraceElement frame : failure.getStackTrace()) {
			if (frame.getClassName().startsWith(FHIR_PATCH)) {
				return true;
			}
		}
		return false;
	}

	void checkJsonPatch(byte[] body) {
		JsonNode patch;
		try {
			patch = json.readTree(body);
		}
		catch (JsonProcessingException ex) {
			throw new InvalidRequestException("The JSON Patch is not valid JSON (at line "
					+ ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr() + ")");
		}
		catch (IOException ex) {
			throw new InvalidRequestException("The JSON Patch could not be read");
		}
		if (patch == null || !patch.isArray()) {
			throw new InvalidRequestException("A JSON Patch must be an array of operations, such as "
					+ "[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"female\"}]");
		}
		for (int i = 0; i < patch.size(); i++) {
			JsonNode operation = patch.get(i);
			String where = "JSON Patch operation " + i;
			if (!operation.isObject()) {
				throw new InvalidRequestException(where + " is not an object");
			}
			String op = operation.path("op").asText(null);
			if (!operation.path("op").isTextual() || !JSON_PATCH_OPS.contains(op)) {
				throw new InvalidRequestException(where + " needs \"op\": one of "
						+ String.join(", ", List.of("add", "remove", "replace", "move", "copy", "test")));
			}
			requirePointer(operation, "path", where);
			if (op.equals("move") || op.equals("copy")) {
				requirePointer(operation, "from", where);
			}
			if ((op.equals("add") || op.equals("replace") || op.equals("test")) && !operation.has("value")) {
				throw new InvalidRequestException(where + " (" + op + ") needs a \"value\"");
			}
		}
	}

	/**
	 * A JSON Pointer to an element of the resource: each of its segments names an element
	 * or an index. {@code /} and {@code /name//family} name a member with an empty name,
	 * which no FHIR resource has, and the empty pointer names the whole resource, which
	 * an update (PUT) replaces.
	 */
	private static void requirePointer(JsonNode operation, String member, String where) {
		JsonNode pointer = operation.get(member);
		if (pointer == null || !pointer.isTextual() || !pointer.asText().startsWith("/")) {
			throw new InvalidRequestException(
					where + " needs \"" + member + "\": a JSON Pointer such as \"/name/0/family\"");
		}
		if (List.of(pointer.asText().substring(1).split("/", -1)).contains("")) {
			throw new InvalidRequestException(where + " has \"" + member + "\": \"" + pointer.asText()
					+ "\", which has an empty segment: each segment names an element or an index, "
					+ "such as \"/name/0/family\"; to replace the whole resource, update it with PUT");
		}
	}

	private void checkFhirPatch(byte[] body, boolean isJson) {
		IBaseResource resource;
		try {
			String text = new String(body, StandardCharsets.UTF_8);
			resource = (isJson ? this.fhirContext.newJsonParser() : this.fhirContext.newXmlParser())
				.parseResource(text);
		}
		catch (DataFormatException ex) {
			// HAPI's parser reports it in its own words
			return;
		}
		if (!(resource instanceof Parameters parameters)) {
			throw new InvalidRequestException("A FHIRPath Patch must be a Parameters resource, not "
					+ this.fhirContext.getResourceType(resource));
		}
		checkFhirPatch(parameters);
	}

	void checkFhirPatch(Parameters parameters) {
		IFhirPath fhirPath = this.fhirContext.newFhirPath();
		List<ParametersParameterComponent> operations = parameters.getParameter();
		for (int i = 0; i < operations.size(); i++) {
			if (!"operation".equals(operations.get(i).getName())) {
				continue;
			}
			checkFhirPatchOperation(operations.get(i), "FHIRPath Patch operation " + i, fhirPath);
		}
	}

	private void checkFhirPatchOperation(ParametersParameterComponent operation, String where, IFhirPath fhirPath) {
		String type = partValue(operation, "type");
		if (type == null || !FHIR_PATCH_TYPES.contains(type)) {
			throw new InvalidRequestException(
					where + " needs a \"type\" part: one of add, insert, delete, replace, move");
		}
		String path = partValue(operation, "path");
		if (path == null || path.isBlank()) {
			throw new InvalidRequestException(where + " (" + type + ") needs a \"path\" part");
		}
		if (path.length() > this.limits.maxPatchPathLength()) {
			throw new InvalidRequestException(where + " has a path of " + path.length()
					+ " characters; this server accepts at most "
					+ HttpProperties.Limits.describe("max-patch-path-length", this.limits.maxPatchPathLength()));
		}
		try {
			fhirPath.parse(path);
		}
		catch (Exception | StackOverflowError ex) {
			throw new InvalidRequestException(where + " has a path that is not a valid FHIRPath expression");
		}
		Matcher function = NON_ELEMENT_FUNCTION.matcher(STRING_LITERAL.matcher(path).replaceAll("''"));
		if (function.find()) {
			throw new InvalidRequestException(where + " has a path through " + function.group(1)
					+ "(), which selects values that are not elements the patch can change in place: "
					+ "name the element, such as Patient.name.where(use = 'official')");
		}
		if (type.equals("add") && partValue(operation, "name") == null) {
			throw new InvalidRequestException(where + " (add) needs a \"name\" part: the element to add");
		}
		if ((type.equals("add") || type.equals("insert") || type.equals("replace"))
				&& operation.getPart().stream().noneMatch((part) -> "value".equals(part.getName()))) {
			throw new InvalidRequestException(where + " (" + type + ") needs a \"value\" part");
		}
		if (type.equals("insert") && partValue(operation, "index") == null) {
			throw new InvalidRequestException(where + " (insert) needs an \"index\" part");
		}
		if (type.equals("move")
				&& (partValue(operation, "source") == null || partValue(operation, "destination") == null)) {
			throw new InvalidRequestException(where + " (move) needs \"source\" and \"destination\" parts");
		}
	}

	private static String partValue(ParametersParameterComponent operation, String name) {
		return operation.getPart()
			.stream()
			.filter((part) -> name.equals(part.getName()) && part.getValue() != null && part.getValue().isPrimitive())
			.map((part) -> part.getValue().primitiveValue())
			.filter((value) -> value != null)
			.findFirst()
			.orElse(null);
	}

	private static void checkWellFormedXml(byte[] body) {
		try {
			XMLStreamReader reader = xml.createXMLStreamReader(new ByteArrayInputStream(body));
			try {
				while (reader.hasNext()) {
					reader.next();
				}
			}
			finally {
				reader.close();
			}
		}
		catch (XMLStreamException ex) {
			throw new InvalidRequestException("The XML Patch is not well-formed XML");
		}
	}

	private static XMLInputFactory newXmlInputFactory() {
		XMLInputFactory factory = XMLInputFactory.newFactory();
		// never resolve a DTD or an external entity from a request body
		factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		return factory;
	}

}
