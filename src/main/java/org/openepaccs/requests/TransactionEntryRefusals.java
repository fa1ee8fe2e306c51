package org.openepaccs.requests;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;

/**
 * Names, in a refused transaction's answer, the entry whose storing was refused
 * ({@link TransactionEntryInProgress}): a GP system sending fifty entries learns which
 * one to fix. Issues that already name their entry are left as they are, and so are
 * HAPI's own refusals ({@code HAPI-nnnn}): consent to share answers a write touching a
 * hidden record in HAPI's words for one touching nothing, sometimes before the entry is
 * stored, and a name on one of the two answers only would tell them apart.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class TransactionEntryRefusals implements FhirServerInterceptor {

	@Hook(Pointcut.SERVER_OUTGOING_FAILURE_OPERATIONOUTCOME)
	public void nameTheEntry(RequestDetails request, IBaseOperationOutcome outcome) {
		String entry = TransactionEntryInProgress.current(request);
		if (entry.isEmpty() || !(outcome instanceof OperationOutcome r4)) {
			return;
		}
		for (OperationOutcome.OperationOutcomeIssueComponent issue : r4.getIssue()) {
			String diagnostics = issue.hasDiagnostics() ? issue.getDiagnostics() : "";
			if (!diagnostics.startsWith("Entry ") && !diagnostics.startsWith("HAPI-")) {
				issue.setDiagnostics(entry + diagnostics);
			}
		}
	}

}
