package org.openepaccs.summary;

import java.time.Instant;
import java.util.List;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.openepaccs.common.PlanSummaryNames;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.fhir.FhirOperationProvider;
import org.openepaccs.common.NhsNumber;

import org.springframework.stereotype.Component;

/**
 * {@code GET /fhir/Patient/{id}/$epaccs-summary} and {@code GET
 * /fhir/Patient/$epaccs-summary?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}}: the
 * person's current plan as a FHIR document (OperationDefinition {@code epaccs-summary} in
 * the package).
 */
@Component
class PlanSummaryOperationProvider implements FhirOperationProvider {

	static final String OPERATION = PlanSummaryNames.OPERATION;

	static final String CANONICAL = ConformancePackage.CANONICAL_BASE + "/OperationDefinition/epaccs-summary";

	private final PlanRecordQueries queries;

	private final PlanSummaryBuilder builder;

	PlanSummaryOperationProvider(PlanRecordQueries queries, ConformancePackage conformancePackage,
			SummaryProperties properties) {
		this.queries = queries;
		this.builder = new PlanSummaryBuilder(SummaryCodes.of(conformancePackage), properties);
	}

	@Operation(name = OPERATION, type = Patient.class, idempotent = true, canonicalUrl = CANONICAL)
	public Bundle summaryOf(@IdParam IdType patient, RequestDetails request) {
		return this.builder.build(this.queries.load(patient.getIdPart(), request), Instant.now(),
				request.getFhirServerBase());
	}

	@Operation(name = OPERATION, type = Patient.class, idempotent = true, canonicalUrl = CANONICAL)
	public Bundle summaryByNhsNumber(@OperationParam(name = "identifier", min = 1, max = 1) TokenParam identifier,
			RequestDetails request) {
		return summaryOf(new IdType("Patient", patientWith(identifier)), request);
	}

	private String patientWith(TokenParam identifier) {
		if (identifier == null || !NhsNumber.SYSTEM.equals(identifier.getSystem())) {
			throw new InvalidRequestException(
					"identifier must be an NHS number: identifier=" + NhsNumber.SYSTEM + "|{10-digit NHS number}");
		}
		String problem = NhsNumber.problem(identifier.getValue());
		if (problem != null) {
			throw new InvalidRequestException("identifier: " + problem);
		}
		List<String> patients = this.queries.patientsWithNhsNumber(identifier.getValue());
		if (patients.isEmpty()) {
			throw new ResourceNotFoundException(PlanSummaryNames.NO_SUCH_NHS_NUMBER);
		}
		if (patients.size() > 1) {
			// two records for one person must be merged by someone who can tell which
			// holds the current plan; showing either could show the wrong one
			throw new ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException(
					"This NHS number is on more than one record here; use Patient/{id}/$epaccs-summary");
		}
		return patients.get(0);
	}

}
