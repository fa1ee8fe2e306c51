package org.openepaccs.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Writes a FHIR {@code OperationOutcome} for errors raised before or outside HAPI's
 * {@code RestfulServer} (filters, the servlet container), so that every error a client
 * sees is FHIR, never an HTML page or a stack trace.
 */
public final class OperationOutcomeResponse {

	public static final String FHIR_JSON = "application/fhir+json;charset=UTF-8";

	private OperationOutcomeResponse() {
	}

	public static OperationOutcome outcome(IssueType type, String diagnostics) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(diagnostics);
		return outcome;
	}

	public static String json(IssueType type, String diagnostics) {
		return FhirContext.forR4Cached().newJsonParser().encodeResourceToString(outcome(type, diagnostics));
	}

	public static void write(HttpServletResponse response, int status, IssueType type, String diagnostics)
			throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		response.setStatus(status);
		response.setContentType(FHIR_JSON);
		byte[] body = json(type, diagnostics).getBytes(StandardCharsets.UTF_8);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

}
