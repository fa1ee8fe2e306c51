package org.openepaccs.testsupport;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a resource against our profiles with the server's own {@code $validate}: for
 * resources the server writes itself, which are not validated on the way into storage.
 */
public final class Conformance {

	private Conformance() {
	}

	public static void assertConforms(FhirHttp http, IBaseResource resource) {
		FhirHttp.Response validated = http.post("/fhir/" + resource.fhirType() + "/$validate", FhirHttp.json(resource));
		assertThat(validated.status()).as(validated.body()).isEqualTo(200);
		assertThat(validated.outcome().getIssue())
			.filteredOn((issue) -> issue.getSeverity() == OperationOutcome.IssueSeverity.ERROR
					|| issue.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
			.as(resource.getIdElement().getValue() + ": " + validated.body())
			.isEmpty();
	}

}
