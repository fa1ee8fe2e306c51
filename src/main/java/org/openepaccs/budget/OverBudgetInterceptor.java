package org.openepaccs.budget;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.common.Causes;
import org.openepaccs.common.WorkDeadline;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;

/**
 * A request stopped at its time budget gets 400 {@code too-costly} saying so, not the 500
 * of a cancelled statement or a stopped validation: the request asked for more than the
 * server gives one request, and nothing of it was stored.
 */
@Order(InterceptorOrder.FAILURES)
@Interceptor
class OverBudgetInterceptor implements FhirServerInterceptor {

	private final RequestDeadlines deadlines;

	OverBudgetInterceptor(RequestDeadlines deadlines) {
		this.deadlines = deadlines;
	}

	// before DatabaseUnavailableInterceptor (order 0), which would see the cancelled
	// statement as a database failure
	@Hook(value = Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION, order = -10)
	public BaseServerResponseException overBudget(RequestDetails request, Throwable failure) {
		RequestDeadlines.Deadline deadline = this.deadlines.current();
		if (deadline == null || !deadline.isPassed() || !wasCancelled(failure)) {
			return null;
		}
		long millis = deadline.budget().toMillis();
		String budget = (millis % 1000 == 0) ? (millis / 1000) + " s" : millis + " ms";
		String message = "The request used up its time budget of " + budget
				+ " (epaccs.database.request-time-budget) and was stopped; nothing was changed. Narrow the search "
				+ "(fewer parameters or _include, a smaller _count) or split the transaction";
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(OperationOutcome.IssueType.TOOCOSTLY)
			.setDiagnostics(message);
		return new InvalidRequestException(message, outcome);
	}

	/**
	 * PostgreSQL's "canceling statement due to user request" (SQLSTATE 57014), a
	 * connection refused because the budget was used up, or CPU-bound work (validation)
	 * that stopped itself.
	 */
	static boolean wasCancelled(Throwable failure) {
		return Causes.anyWithSuppressed(failure,
				(cause) -> cause instanceof SQLTimeoutException || cause instanceof WorkDeadline.Exceeded
						|| cause instanceof SQLException sql && "57014".equals(sql.getSQLState()));
	}

}
