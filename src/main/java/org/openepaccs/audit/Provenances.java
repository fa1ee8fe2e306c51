package org.openepaccs.audit;

import java.util.Date;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;

import static org.openepaccs.common.Systems.ODS;

/**
 * The {@code Provenance} of one change, built from its row when asked for: who (user,
 * client, role, organisation, from their access token), when, what (create, update or
 * delete) and which version it made.
 */
final class Provenances {

	static final String DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";

	static final String PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

	/** The identifier system of users and clients as our access tokens name them. */
	static final String TOKEN_SUBJECT = "https://fhir.openepaccs.org/Id/token-subject";

	private Provenances() {
	}

	static Provenance of(RecordChanges.Numbered numbered) {
		RecordChanges.Change change = numbered.change();
		Provenance provenance = new Provenance();
		provenance.setId(Long.toString(numbered.id()));
		provenance.getMeta().setLastUpdated(Date.from(change.recorded()));
		provenance.addTarget(new Reference(
				change.reference() + ((change.version() != null) ? "/_history/" + change.version() : "")));
		if (change.patient() != null && !change.patient().equals(change.reference())) {
			// the person's record changed too: this puts the Provenance in their
			// compartment, so Provenance?patient= and patient scopes work as for any
			// record
			provenance.addTarget(new Reference(change.patient()));
		}
		provenance.setRecordedElement(new org.hl7.fhir.r4.model.InstantType(Date.from(change.recorded())));
		String operation = switch (change.interaction()) {
			case "create" -> "CREATE";
			case "delete" -> "DELETE";
			default -> "UPDATE";
		};
		provenance.setActivity(new CodeableConcept(new Coding(DATA_OPERATION, operation, operation.toLowerCase()))
			.setText(change.interaction()));
		Provenance.ProvenanceAgentComponent agent = provenance.addAgent();
		agent.setType(new CodeableConcept(new Coding(PARTICIPANT_TYPE, "author", "Author")));
		agent.setWho(new Reference().setIdentifier(new Identifier().setSystem(TOKEN_SUBJECT).setValue(change.user()))
			.setDisplay(change.user()));
		if (change.role() != null) {
			agent.addRole(new CodeableConcept().setText(change.role()));
		}
		if (change.organisation() != null) {
			agent.setOnBehalfOf(
					new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue(change.organisation())));
		}
		if (change.client() != null && !change.client().equals(change.user())) {
			provenance.addAgent()
				.setType(new CodeableConcept(new Coding(PARTICIPANT_TYPE, "assembler", "Assembler")).setText("client"))
				.setWho(new Reference()
					.setIdentifier(new Identifier().setSystem(TOKEN_SUBJECT).setValue(change.client()))
					.setDisplay(change.client()));
		}
		return provenance;
	}

}
