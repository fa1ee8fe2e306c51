package org.openepaccs.security;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every access decision from one table: role, scopes, type, interaction → allowed, and
 * within which patient's compartment.
 */
class AccessPolicyTest {

	@ParameterizedTest(name = "{0} with [{1}] {3} {2} → {4}")
	@CsvSource(delimiter = '|', nullValues = "-",
			textBlock = """
					# role              | scopes                               | type                | interaction | allowed | compartment
					system-integration  | system/*.cruds                       | CarePlan            | DELETE      | true    | -
					system-integration  | system/*.read                        | CarePlan            | CREATE      | false   | -
					system-integration  | system/*.cruds                       | StructureDefinition | UPDATE      | false   | -
					system-integration  | system/*.rs                          | StructureDefinition | READ        | true    | -
					clinician           | user/*.cruds                         | Observation         | CREATE      | true    | -
					clinician           | user/*.cruds                         | Observation         | DELETE      | false   | -
					clinician           | user/Observation.rs                  | Observation         | SEARCH      | true    | -
					clinician           | user/Observation.rs                  | CarePlan            | SEARCH      | false   | -
					clinician           | user/CarePlan.write                  | CarePlan            | UPDATE      | true    | -
					clinician           | user/CarePlan.write                  | CarePlan            | READ        | false   | -
					clinician           | patient/*.rs                         | Observation         | READ        | true    | p1
					clinician           | patient/*.rs user/Observation.rs     | Observation         | READ        | true    | -
					clinician           | patient/*.rs                         | Organization        | READ        | true    | -
					clinician           | patient/*.rs                         | PractitionerRole    | SEARCH      | true    | -
					clinician           | patient/*.rs                         | StructureDefinition | READ        | true    | -
					clinician           | patient/*.cruds                      | Organization        | UPDATE      | false   | -
					ooh-clinician       | user/*.cruds                         | Observation         | CREATE      | true    | -
					ooh-clinician       | user/*.cruds                         | Patient             | UPDATE      | true    | -
					ooh-clinician       | user/*.cruds                         | CarePlan            | UPDATE      | false   | -
					ooh-clinician       | user/*.cruds                         | Goal                | CREATE      | false   | -
					ooh-clinician       | user/*.rs                            | CarePlan            | READ        | true    | -
					spoc-hub            | user/*.cruds                         | CarePlan            | UPDATE      | false   | -
					spoc-hub            | user/*.rs                            | EpisodeOfCare       | SEARCH      | true    | -
					icb-analyst         | system/*.rs                          | Patient             | READ        | false   | -
					icb-analyst         | system/*.rs                          | Organization        | SEARCH      | true    | -
					icb-analyst         | system/*.rs                          | OperationOutcome    | READ        | true    | -
					icb-analyst         | system/*.rs                          | MeasureReport       | SEARCH      | true    | -
					icb-analyst         | system/*.rs                          | MeasureReport       | READ        | true    | -
					icb-analyst         | system/*.cruds                       | MeasureReport       | CREATE      | false   | -
					icb-analyst         | system/*.rs                          | Measure             | READ        | true    | -
					icb-analyst         | system/*.rs                          | Encounter           | SEARCH      | false   | -
					clinician           | user/*.cruds                         | MeasureReport       | SEARCH      | false   | -
					system-integration  | system/*.cruds                       | MeasureReport       | READ        | false   | -
					ooh-clinician       | user/*.rs                            | MeasureReport       | READ        | false   | -
					spoc-hub            | user/*.rs                            | MeasureReport       | SEARCH      | false   | -
					admin               | system/*.cruds                       | MeasureReport       | SEARCH      | false   | -
					clinician           | user/*.cruds                         | Measure             | READ        | true    | -
					admin               | system/*.cruds                       | Patient             | READ        | false   | -
					admin               | system/*.cruds                       | ValueSet            | UPDATE      | true    | -
					admin               | system/*.cruds                       | AuditEvent          | SEARCH      | true    | -
					admin               | system/*.cruds                       | AuditEvent          | DELETE      | false   | -
					-                   | system/*.cruds                       | Organization        | READ        | false   | -
					""")
	void decides(String role, String scopes, String type, Interaction interaction, boolean allowed,
			String compartment) {
		Caller caller = new Caller("u1", "client", (role != null) ? Role.fromClaim(role).orElseThrow() : null, "Y99901",
				SmartScope.parseAll(scopes), "p1", null, null);

		AccessPolicy.Decision decision = AccessPolicy.decide(caller, type, interaction);

		assertThat(decision.allowed()).as(decision.reason()).isEqualTo(allowed);
		assertThat(decision.patientCompartment()).isEqualTo(allowed ? compartment : null);
		assertThat(decision.reason() == null).isEqualTo(allowed);
	}

	@Test
	void aRefusalForWantOfAScopeNamesTheScopesThatWouldGrantIt() {
		Caller caller = new Caller("u1", "client", Role.OOH_CLINICIAN, "Y99906", SmartScope.parseAll("user/*.rs"), null,
				null, null);

		AccessPolicy.Decision decision = AccessPolicy.decide(caller, "Patient", Interaction.UPDATE);

		assertThat(decision.allowed()).isFalse();
		assertThat(decision.reason()).contains("no scope of the access token allows update Patient")
			.contains("system/Patient.u", "user/Patient.u", "patient/Patient.u", "*.u", "Patient.write");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			system/*.read     | READ SEARCH
			user/CarePlan.write | CREATE UPDATE DELETE
			patient/*.*       | CREATE READ UPDATE DELETE SEARCH
			user/*.cruds      | CREATE READ UPDATE DELETE SEARCH
			user/Flag.rs      | READ SEARCH
			system/*.cu       | CREATE UPDATE
			""")
	void parsesVersion1AndVersion2Scopes(String scope, String interactions) {
		assertThat(SmartScope.parse(scope).orElseThrow().interactions()).containsExactlyInAnyOrderElementsOf(
				List.of(interactions.split(" ")).stream().map(Interaction::valueOf).toList());
	}

	@ParameterizedTest
	@CsvSource({ "openid", "launch/patient", "user/*.sc", "user/*.rr", "user/*.", "system/*.cruds?category=x",
			"user/carePlan.read", "admin/*.read" })
	void ignoresWhatIsNotAResourceScope(String scope) {
		assertThat(SmartScope.parse(scope)).isEmpty();
	}

}
