package org.openepaccs.errors;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;

/**
 * Rewrites the diagnostics of every error OperationOutcome HAPI sends, because its
 * messages, including those of 4xx answers, quote Java internals: exception class names
 * ({@code java.lang.NullPointerException}), library classes
 * ({@code com.github.fge.jsonpatch...}), parser source locations and, from the database,
 * SQL with its bound values, which can be patient data. HAPI's {@code HAPI-nnnn} codes
 * are kept: vendors quote them. A 5xx says only that the server failed, with the request
 * id that finds it in the log. The outcomes of a batch's or transaction's entries are
 * rewritten the same way.
 */
@Order(InterceptorOrder.FAILURES)
@Interceptor
public class DiagnosticsSanitiser implements FhirServerInterceptor {

	private static final Pattern DATABASE_TEXT = Pattern
		.compile("(?i:\\binsert into\\b|could not execute)|\\bSQL\\b|JDBC|"
				+ "\\bERROR: |\\bHFJ_|constraint \\[|PSQLException|org\\.hibernate|org\\.postgresql");

	private static final Pattern PARSER_LOCATION = Pattern
		.compile("\\s*(?:at \\[Source:[^\\]]*\\]|\\(through reference chain:[^)]*\\)|\\(for POJO property '[^']*'\\))");

	private static final Pattern QUALIFIED_CLASS = Pattern
		.compile("\\b(?:[a-z][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_]*(?:\\$[A-Za-z0-9_]+)*)");

	/**
	 * HAPI's answer to a reference to a deleted record: said as its answer to a reference
	 * to a record never stored, because for a record of a person who refused to share,
	 * deleted since, "is deleted" would tell a writer who may not see them that the id
	 * was theirs (docs/access.md). An honest writer loses only the difference between
	 * deleted and never there.
	 */
	private static final Pattern DELETED_REFERENCE = Pattern
		.compile("HAPI-1096: Resource (\\S+) is deleted, specified in path: ");

	private static final Pattern EXCEPTION_NAME = Pattern.compile("\\b[A-Z][A-Za-z0-9_]*(?:Exception|Error)\\b:?\\s*");

	/**
	 * What a NullPointerException says: a bug's symptom, not something a client can act
	 * on.
	 */
	private static final Pattern NULL_POINTER_TEXT = Pattern
		.compile("Cannot (?:invoke|read|load|store|assign|throw|enter|exit) .*because .* is null");

	@Hook(Pointcut.SERVER_OUTGOING_FAILURE_OPERATIONOUTCOME)
	public void sanitise(RequestDetails request, IBaseOperationOutcome outcome, ResponseDetails response) {
		if (!(outcome instanceof OperationOutcome r4)) {
			return;
		}
		// a 503 carries our own message about the database being unreachable
		sanitise(r4, response != null && response.getResponseCode() >= 500 && response.getResponseCode() != 503,
				request);
	}

	/**
	 * A batch answers 200 with each failed entry's OperationOutcome inside the Bundle,
	 * where the hook above does not reach. An entry that succeeded carries HAPI's own
	 * "Successfully created ..." outcome, which the hook above leaves alone on a request
	 * of its own too; skipping those keeps a population load's transactions from running
	 * the patterns over every entry.
	 */
	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean sanitiseEntryOutcomes(RequestDetails request, IBaseResource resource) {
		if (resource instanceof Bundle bundle && (bundle.getType() == Bundle.BundleType.BATCHRESPONSE
				|| bundle.getType() == Bundle.BundleType.TRANSACTIONRESPONSE)) {
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				String status = entry.getResponse().getStatus();
				if (status != null && status.startsWith("2")) {
					continue;
				}
				if (entry.getResponse().getOutcome() instanceof OperationOutcome outcome) {
					sanitise(outcome, status != null && status.startsWith("5"), request);
				}
			}
		}
		return true;
	}

	private static void sanitise(OperationOutcome outcome, boolean serverError, RequestDetails request) {
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			String diagnostics = issue.hasDiagnostics() ? issue.getDiagnostics() : "";
			if (serverError) {
				issue.setDiagnostics(serverFailure(diagnostics, request));
			}
			else if (!diagnostics.isEmpty()) {
				issue.setDiagnostics(sanitise(diagnostics));
			}
		}
	}

	/** The message without Java or database internals. */
	public static String sanitise(String diagnostics) {
		Matcher deleted = DELETED_REFERENCE.matcher(diagnostics);
		if (deleted.lookingAt()) {
			return deleted.replaceFirst("HAPI-1094: Resource $1 not found, specified in path: ");
		}
		if (DATABASE_TEXT.matcher(diagnostics).find()) {
			return withCodes("The database could not process this request", diagnostics);
		}
		if (NULL_POINTER_TEXT.matcher(diagnostics).find()) {
			return withCodes("The server could not process this request", diagnostics);
		}
		String text = PARSER_LOCATION.matcher(diagnostics).replaceAll("");
		Matcher qualified = QUALIFIED_CLASS.matcher(text);
		StringBuilder simple = new StringBuilder();
		while (qualified.find()) {
			// a nested exception class (FHIRLexer$FHIRLexerException) is removed below by
			// its own name
			String[] nested = qualified.group(1).split("\\$");
			String last = nested[nested.length - 1];
			boolean exception = last.endsWith("Exception") || last.endsWith("Error");
			qualified.appendReplacement(simple, Matcher.quoteReplacement(exception ? last : nested[0]));
		}
		qualified.appendTail(simple);
		text = EXCEPTION_NAME.matcher(simple).replaceAll("").trim();
		return text.isEmpty() ? withCodes("The request could not be processed", diagnostics) : text;
	}

	private static String serverFailure(String diagnostics, RequestDetails request) {
		String requestId = (request != null) ? request.getRequestId() : null;
		return withCodes("The server failed to process this request"
				+ ((requestId != null) ? "; if it persists, report request id " + requestId : ""), diagnostics);
	}

	private static String withCodes(String message, String original) {
		List<String> codes = ErrorLogInterceptor.codes(original);
		return codes.isEmpty() ? message : message + " (" + String.join(", ", codes) + ")";
	}

}
