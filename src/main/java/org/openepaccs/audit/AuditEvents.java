package org.openepaccs.audit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.Set;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;

import static org.openepaccs.common.Systems.ODS;

/**
 * Shows a stored {@link AuditRecord} as an {@code AuditEvent}, after the IHE Basic Audit
 * Log Patterns (BALP) for RESTful activities: who (user, role, organisation, client),
 * what (interaction, resources, patients), when, outcome and purpose of use. Codes are
 * those of FHIR R4 and HL7 terminology; our role names are text, as no national code
 * exists.
 */
final class AuditEvents {

	static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";

	static final String RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction";

	static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";

	static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";

	static final String PURPOSE_OF_USE = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

	/**
	 * HL7 v3 ActReason codes for care: treatment and emergency treatment (break-glass).
	 */
	static final Set<String> KNOWN_PURPOSES = Set.of("TREAT", "ETREAT");

	private AuditEvents() {
	}

	static AuditEvent toResource(String id, AuditRecord record) {
		AuditEvent event = new AuditEvent();
		event.setId(id);
		event.getMeta().setVersionId("1").setLastUpdatedElement(new InstantType(Date.from(record.recorded())));
		event.setType(new Coding(EVENT_TYPE, "rest", "Restful Operation"));
		event.addSubtype(new Coding(RESTFUL_INTERACTION, record.interaction(), null));
		event.setAction(actionOf(record.interaction()));
		event.setRecorded(Date.from(record.recorded()));
		event.setOutcome(AuditEventOutcome.fromCode(record.outcome()));
		if (record.detail() != null) {
			event.setOutcomeDesc(record.detail());
		}
		AuditEvent.AuditEventAgentComponent agent = event.addAgent().setRequestor(true);
		if (record.user() != null) {
			agent.setWho(
					new Reference().setIdentifier(new Identifier().setValue(record.user())).setDisplay(record.user()));
			agent.setAltId(record.client());
			if (record.role() != null) {
				agent.addRole().setText(record.role());
			}
			if (record.organisation() != null) {
				event.addAgent()
					.setRequestor(false)
					.setWho(new Reference()
						.setIdentifier(new Identifier().setSystem(ODS).setValue(record.organisation())));
			}
			if (record.purposeOfUse() != null) {
				// a code only when it is one of HL7's; anything else is kept as the
				// caller's text
				agent.addPurposeOfUse(KNOWN_PURPOSES.contains(record.purposeOfUse())
						? new CodeableConcept(new Coding(PURPOSE_OF_USE, record.purposeOfUse(), null))
						: new CodeableConcept().setText(record.purposeOfUse()));
			}
			if (record.breakGlassReason() != null) {
				agent.getPurposeOfUseFirstRep().setText("break-glass: " + record.breakGlassReason());
			}
		}
		else {
			agent.setWho(new Reference().setDisplay("unauthenticated"));
		}
		if (record.address() != null) {
			agent.getNetwork().setAddress(record.address()).setType(AuditEvent.AuditEventAgentNetworkType._2);
		}
		event.getSource().setSite("EPaCCS FHIR Server").setObserver(new Reference().setDisplay("EPaCCS FHIR Server"));
		if (record.requestId() != null) {
			event.getSource().getObserver().setIdentifier(new Identifier().setValue(record.requestId()));
		}
		for (String patient : record.patients()) {
			event.addEntity()
				.setWhat(new Reference(patient))
				.setType(new Coding(ENTITY_TYPE, "1", "Person"))
				.setRole(new Coding(OBJECT_ROLE, "1", "Patient"));
		}
		for (String resource : record.resources()) {
			event.addEntity()
				.setWhat(new Reference(resource))
				.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
				.setRole(new Coding(OBJECT_ROLE, "4", "Domain Resource"));
		}
		if (record.query() != null) {
			// kept base64-encoded, as BALP does
			event.addEntity()
				.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
				.setRole(new Coding(OBJECT_ROLE, "24", "Query"))
				.setQuery(Base64.getEncoder().encode(record.query().getBytes(StandardCharsets.UTF_8)));
		}
		return event;
	}

	static AuditEventAction actionOf(String interaction) {
		return switch (interaction) {
			case "create" -> AuditEventAction.C;
			case "update", "patch" -> AuditEventAction.U;
			case "delete" -> AuditEventAction.D;
			case "operation", "transaction", "batch" -> AuditEventAction.E;
			default -> AuditEventAction.R;
		};
	}

}
