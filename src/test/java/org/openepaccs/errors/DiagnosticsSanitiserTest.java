package org.openepaccs.errors;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.OperationOutcomeResponse;

import static org.assertj.core.api.Assertions.assertThat;

class DiagnosticsSanitiserTest {

	@Test
	void ordinaryMessagesAreKept() {
		assertThat(DiagnosticsSanitiser.sanitise("HAPI-1882: Invalid date/time format: \"1944-13-45\""))
			.isEqualTo("HAPI-1882: Invalid date/time format: \"1944-13-45\"");
		assertThat(DiagnosticsSanitiser.sanitise("Observation.value.ofType(Quantity): value is required"))
			.isEqualTo("Observation.value.ofType(Quantity): value is required");
		assertThat(DiagnosticsSanitiser.sanitise("See http://hl7.org/fhir/StructureDefinition/Patient"))
			.isEqualTo("See http://hl7.org/fhir/StructureDefinition/Patient");
		assertThat(DiagnosticsSanitiser.sanitise("Parse error: select a code from the value set"))
			.isEqualTo("Parse error: select a code from the value set");
	}

	@Test
	void aReferenceToADeletedRecordIsAnsweredAsOneToARecordNeverStored() {
		assertThat(DiagnosticsSanitiser
			.sanitise("HAPI-1096: Resource Observation/abc-1 is deleted, specified in path: Observation.focus"))
			.isEqualTo("HAPI-1094: Resource Observation/abc-1 not found, specified in path: Observation.focus");
	}

	@Test
	void javaClassNamesAndParserLocationsAreRemoved() {
		String jackson = "HAPI-1272: Could not resolve type id 'frob' as a subtype of "
				+ "`com.github.fge.jsonpatch.operation.JsonPatchOperation`: known type ids = [add, copy] "
				+ "(for POJO property '#temporary-name')\n at [Source: UNKNOWN; byte offset: #UNKNOWN]";

		assertThat(DiagnosticsSanitiser.sanitise(jackson))
			.isEqualTo("HAPI-1272: Could not resolve type id 'frob' as a subtype of `JsonPatchOperation`: "
					+ "known type ids = [add, copy]");
		assertThat(DiagnosticsSanitiser
			.sanitise("HAPI-2409: org.hl7.fhir.r4.fhirpath.FHIRLexer$FHIRLexerException: Error @1, 10: Premature"))
			.isEqualTo("HAPI-2409: Error @1, 10: Premature")
			.doesNotContain("Exception");
		assertThat(
				DiagnosticsSanitiser.sanitise("HAPI-0389: Failed to call access method: java.lang.StackOverflowError"))
			.isEqualTo("HAPI-0389: Failed to call access method:");
	}

	@Test
	void theOutcomesOfABatchsEntriesAreSanitisedToo() {
		Bundle batch = new Bundle().setType(Bundle.BundleType.BATCHRESPONSE);
		batch.addEntry()
			.getResponse()
			.setStatus("400 Bad Request")
			.setOutcome(OperationOutcomeResponse.outcome(IssueType.PROCESSING, "HAPI-0389: Failed to call access "
					+ "method: org.springframework.dao.InvalidDataAccessApiUsageException: Offset must be positive"));
		batch.addEntry()
			.getResponse()
			.setStatus("500 Internal Server Error")
			.setOutcome(OperationOutcomeResponse.outcome(IssueType.PROCESSING,
					"ERROR: invalid byte sequence for encoding \"UTF8\": 0x00"));

		new DiagnosticsSanitiser().sanitiseEntryOutcomes(null, batch);

		assertThat(((OperationOutcome) batch.getEntry().get(0).getResponse().getOutcome()).getIssueFirstRep()
			.getDiagnostics()).isEqualTo("HAPI-0389: Failed to call access method: Offset must be positive");
		assertThat(((OperationOutcome) batch.getEntry().get(1).getResponse().getOutcome()).getIssueFirstRep()
			.getDiagnostics()).isEqualTo("The server failed to process this request");
	}

	@Test
	void nullPointerTextAndDatabaseTextAreReplacedKeepingHapiCodes() {
		assertThat(DiagnosticsSanitiser.sanitise("HAPI-0389: Failed to call access method: "
				+ "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"path\" is null"))
			.isEqualTo("The server could not process this request (HAPI-0389)");
		assertThat(DiagnosticsSanitiser.sanitise("HAPI-0550: could not execute batch [ERROR: invalid byte sequence] "
				+ "[insert into HFJ_SPIDX_STRING (SP_VALUE) values ('Margaret')]"))
			.isEqualTo("The database could not process this request (HAPI-0550)")
			.doesNotContain("Margaret");
		assertThat(DiagnosticsSanitiser.sanitise("ERROR: invalid byte sequence for encoding \"UTF8\": 0x00"))
			.isEqualTo("The database could not process this request");
	}

}
