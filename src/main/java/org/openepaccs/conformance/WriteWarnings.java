package org.openepaccs.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Carries the warnings of an accepted write (the write is stored; the writer should know
 * something about it) to the writer, where FHIR puts them:
 * <ul>
 * <li>in the OperationOutcome a create or update answers with when asked
 * ({@code Prefer: return=OperationOutcome});</li>
 * <li>in {@code entry.response.outcome} of the entry a transaction or batch answer has
 * for the resource;</li>
 * <li>on a create's, update's or patch's answer, also in the response header
 * {@value #HEADER}, as a JSON OperationOutcome: FHIR returns an OperationOutcome for a
 * successful create or update only when the client asks for one, so the default answer
 * (the resource) has no place for it. The header is HAPI's convention for the outcome of
 * checking a request ({@code RequestValidatingInterceptor}), not part of FHIR.</li>
 * </ul>
 * Storage hooks add warnings with {@link #add}, keyed by the resource they concern.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
public class WriteWarnings implements FhirServerInterceptor {

	public static final String HEADER = "X-FHIR-Request-Validation";

	private static final String WARNINGS = WriteWarnings.class.getName() + ".warnings";

	private final FhirContext fhirContext;

	WriteWarnings(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	/**
	 * A warning about the stored resource {@code Type/id} for the answer to this request.
	 */
	@SuppressWarnings("unchecked")
	public static void add(RequestDetails request, String resource, IssueType type, String text, String expression) {
		Map<String, List<OperationOutcomeIssueComponent>> warnings = (Map<String, List<OperationOutcomeIssueComponent>>) request
			.getUserData()
			.computeIfAbsent(WARNINGS, (key) -> new LinkedHashMap<>());
		List<OperationOutcomeIssueComponent> issues = warnings.computeIfAbsent(resource, (key) -> new ArrayList<>());
		boolean known = issues.stream().anyMatch((issue) -> text.equals(issue.getDiagnostics()));
		if (!known) {
			issues.add(new OperationOutcomeIssueComponent().setSeverity(IssueSeverity.WARNING)
				.setCode(type)
				.setDiagnostics(text)
				.addExpression(expression));
		}
	}

	@SuppressWarnings("unchecked")
	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean outgoing(RequestDetails request, ResponseDetails response) {
		Object stored = request.getUserData().remove(WARNINGS);
		if (!(stored instanceof Map<?, ?> map) || map.isEmpty()) {
			return true;
		}
		Map<String, List<OperationOutcomeIssueComponent>> warnings = (Map<String, List<OperationOutcomeIssueComponent>>) map;
		if (response.getResponseResource() instanceof Bundle bundle
				&& (bundle.getType() == Bundle.BundleType.TRANSACTIONRESPONSE
						|| bundle.getType() == Bundle.BundleType.BATCHRESPONSE)) {
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				List<OperationOutcomeIssueComponent> issues = entry.getResponse().hasLocation()
						? warnings
							.get(new IdType(entry.getResponse().getLocation()).toUnqualifiedVersionless().getValue())
						: null;
				if (issues != null) {
					if (!(entry.getResponse().getOutcome() instanceof OperationOutcome)) {
						entry.getResponse().setOutcome(new OperationOutcome());
					}
					issues.forEach(((OperationOutcome) entry.getResponse().getOutcome())::addIssue);
				}
			}
			return true;
		}
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation != RestOperationTypeEnum.CREATE && operation != RestOperationTypeEnum.UPDATE
				&& operation != RestOperationTypeEnum.PATCH) {
			return true;
		}
		OperationOutcome outcome = new OperationOutcome();
		warnings.values().forEach((issues) -> issues.forEach(outcome::addIssue));
		if (response.getResponseResource() instanceof OperationOutcome answer) {
			outcome.getIssue().forEach((issue) -> answer.addIssue(issue.copy()));
		}
		request.getResponse().addHeader(HEADER, this.fhirContext.newJsonParser().encodeResourceToString(outcome));
		return true;
	}

}
