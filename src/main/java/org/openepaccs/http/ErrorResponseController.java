package org.openepaccs.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.openepaccs.common.OperationOutcomeResponse;
import org.openepaccs.common.RequestId;

import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Renders every error the servlet container handles itself (no such path, a failure in a
 * filter) as a FHIR OperationOutcome instead of Spring's default JSON or an HTML page. It
 * never shows exception details: a server fault names only the request id to quote to
 * support.
 */
@RestController
class ErrorResponseController implements ErrorController {

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<String> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		// no status: the client asked for the error path itself, which is not a page
		HttpStatus status = (code instanceof Integer value) ? HttpStatus.resolve(value) : HttpStatus.NOT_FOUND;
		if (status == null || !status.isError()) {
			status = HttpStatus.INTERNAL_SERVER_ERROR;
		}
		String body = OperationOutcomeResponse.json(issueType(status), diagnostics(status, request));
		return ResponseEntity.status(status)
			.contentType(MediaType.parseMediaType(OperationOutcomeResponse.FHIR_JSON))
			.body(body);
	}

	private static IssueType issueType(HttpStatus status) {
		return switch (status) {
			case NOT_FOUND -> IssueType.NOTFOUND;
			case FORBIDDEN -> IssueType.FORBIDDEN;
			case UNAUTHORIZED -> IssueType.LOGIN;
			case PAYLOAD_TOO_LARGE, REQUEST_HEADER_FIELDS_TOO_LARGE, URI_TOO_LONG -> IssueType.TOOLONG;
			case METHOD_NOT_ALLOWED, UNSUPPORTED_MEDIA_TYPE, NOT_ACCEPTABLE -> IssueType.NOTSUPPORTED;
			default -> status.is4xxClientError() ? IssueType.INVALID : IssueType.EXCEPTION;
		};
	}

	private static String diagnostics(HttpStatus status, HttpServletRequest request) {
		if (status == HttpStatus.NOT_FOUND) {
			return "Nothing is served at this path: the FHIR API is at /fhir";
		}
		if (status.is5xxServerError()) {
			return "The server could not complete this request; quote request id " + RequestId.of(request)
					+ " to the service desk";
		}
		return status.value() + " " + status.getReasonPhrase();
	}

}
