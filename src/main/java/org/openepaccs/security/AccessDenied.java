package org.openepaccs.security;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.OperationOutcome;

/** The one form of a 403 that says why: "Access denied: " and the reason. */
public final class AccessDenied {

	private AccessDenied() {
	}

	public static ForbiddenOperationException because(String reason) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(OperationOutcome.IssueType.FORBIDDEN)
			.setDiagnostics("Access denied: " + reason);
		return new ForbiddenOperationException("Access denied: " + reason, outcome);
	}

}
