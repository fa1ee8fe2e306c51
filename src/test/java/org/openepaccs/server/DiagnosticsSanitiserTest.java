package org.openepaccs.server;

import org.junit.jupiter.api.Test;

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
