package org.openepaccs.http;

import java.io.IOException;
import java.io.Writer;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.openepaccs.common.OperationOutcomeResponse;

/**
 * Tomcat's error report for requests that never reach the application (a request line or
 * header it cannot parse, a header too large): an OperationOutcome instead of an HTML
 * page. It names no class, no server version and nothing from the request.
 */
public class OperationOutcomeErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		try {
			response.setContentType(OperationOutcomeResponse.FHIR_JSON);
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(OperationOutcomeResponse.json(issueType(status), diagnostics(status)));
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// the connection is already unusable; nothing more can be told to the client
		}
	}

	private static IssueType issueType(int status) {
		return switch (status) {
			case 413, 414, 431 -> IssueType.TOOLONG;
			case 404 -> IssueType.NOTFOUND;
			case 405, 501, 505 -> IssueType.NOTSUPPORTED;
			default -> (status < 500) ? IssueType.INVALID : IssueType.EXCEPTION;
		};
	}

	private static String diagnostics(int status) {
		return switch (status) {
			case 400 ->
				"The request could not be read: check the URL's characters and percent-encoding, and the headers";
			case 413, 431 -> "The request headers are larger than this server accepts";
			case 414 -> "The URL is longer than this server accepts: use POST [type]/_search for long searches";
			case 501 -> "This server does not implement the request's HTTP method: FHIR uses GET, HEAD, POST, PUT, "
					+ "PATCH, DELETE and OPTIONS";
			case 505 -> "This server does not support the request's HTTP version: use HTTP/1.1";
			default -> "HTTP " + status;
		};
	}

}
