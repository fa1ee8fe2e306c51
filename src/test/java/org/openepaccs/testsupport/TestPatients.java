package org.openepaccs.testsupport;

import java.util.UUID;

import org.hl7.fhir.r4.model.Patient;

/**
 * Patients that tests create without an NHS number, told apart by an identifier in a
 * system of the tests' own, so that each test finds exactly the people it made.
 */
public final class TestPatients {

	public static final String TEST_IDS = "https://epaccs.test/Id/integration-test";

	private TestPatients() {
	}

	public static Patient patient(String given, String identifierValue) {
		Patient patient = new Patient();
		patient.addIdentifier().setSystem(TEST_IDS).setValue(identifierValue);
		patient.addName().setFamily("Testperson").addGiven(given);
		return patient;
	}

	public static String identifier() {
		return UUID.randomUUID().toString();
	}

}
