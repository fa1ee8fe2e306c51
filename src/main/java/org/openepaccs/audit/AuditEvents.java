package org.openepaccs.audit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.openepaccs.common.RequestId;
import org.openepaccs.security.Caller;

/**
 * Builds one {@code AuditEvent} per FHIR interaction, after the IHE Basic Audit Log
 * Patterns (BALP) for RESTful activities: who (user, role, organisation, client), what
 * (interaction, resources, patients), when, outcome and purpose of use. Codes are those
 * of FHIR R4 and HL7 terminology; our role names are text, as no national code exists.
 */
public final class AuditEvents {

	static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";

	static final String RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction";

	static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";

	static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";

	static final String PURPOSE_OF_USE = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";

	/**
	 * HL7 v3 ActReason codes for care: treatment and emergency treatment (break-glass).
	 */
	static final Set<String> KNOWN_PURPOSES = Set.of("TREAT", "ETREAT");

	private AuditEvents() {
	}

	/**
	 * @param interaction the restful-interaction code ({@code read}, {@code vread},
	 * {@code search-type}, {@code create}, {@code update}, {@code patch}, {@code delete},
	 * {@code history-instance}, {@code operation}, …)
	 * @param caller who, or null when the request carried no valid token
	 * @param outcome 0 success, 4 refused or client error, 8 server error
	 * @param involved the resources the interaction was about and the patients whose data
	 * it touched
	 * @param origin where the request came from
	 * @param detail why it failed, for a refusal
	 */
	static AuditEvent build(String interaction, Caller caller, AuditEventOutcome outcome, AuditedResources involved,
			RequestOrigin origin, String detail) {
		AuditEvent event = new AuditEvent();
		event.setType(new Coding(EVENT_TYPE, "rest", "Restful Operation"));
		event.addSubtype(new Coding(RESTFUL_INTERACTION, interaction, null));
		event.setAction(actionOf(interaction));
		event.setRecorded(new Date());
		event.setOutcome(outcome);
		if (detail != null) {
			event.setOutcomeDesc(detail);
		}
		AuditEvent.AuditEventAgentComponent agent = event.addAgent().setRequestor(true);
		if (caller != null) {
			agent.setWho(
					new Reference().setIdentifier(new Identifier().setValue(caller.user())).setDisplay(caller.user()));
			agent.setAltId(caller.clientId());
			if (caller.role() != null) {
				agent.addRole().setText(caller.role().claimValue());
			}
			if (caller.organisation() != null) {
				event.addAgent()
					.setRequestor(false)
					.setWho(new Reference()
						.setIdentifier(new Identifier().setSystem(ODS).setValue(caller.organisation())));
			}
			if (caller.purposeOfUse() != null) {
				// a code only when it is one of HL7's; anything else is kept as the
				// caller's text
				agent.addPurposeOfUse(KNOWN_PURPOSES.contains(caller.purposeOfUse())
						? new org.hl7.fhir.r4.model.CodeableConcept(
								new Coding(PURPOSE_OF_USE, caller.purposeOfUse(), null))
						: new org.hl7.fhir.r4.model.CodeableConcept().setText(caller.purposeOfUse()));
				if (caller.breaksTheGlass()) {
					agent.getPurposeOfUseFirstRep().setText("break-glass: " + caller.breakGlassReason());
				}
			}
		}
		else {
			agent.setWho(new Reference().setDisplay("unauthenticated"));
		}
		if (origin.address() != null) {
			agent.getNetwork().setAddress(origin.address()).setType(AuditEvent.AuditEventAgentNetworkType._2);
		}
		event.getSource().setSite("EPaCCS FHIR Server").setObserver(new Reference().setDisplay("EPaCCS FHIR Server"));
		if (origin.requestId() != null) {
			event.getSource().getObserver().setIdentifier(new Identifier().setValue(origin.requestId()));
		}
		Set<String> patientIds = new LinkedHashSet<>(involved.patients());
		for (String patient : patientIds) {
			event.addEntity()
				.setWhat(new Reference(patient))
				.setType(new Coding(ENTITY_TYPE, "1", "Person"))
				.setRole(new Coding(OBJECT_ROLE, "1", "Patient"));
		}
		for (String resource : involved.resources()) {
			if (!patientIds.contains(resource)) {
				event.addEntity()
					.setWhat(new Reference(resource))
					.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
					.setRole(new Coding(OBJECT_ROLE, "4", "Domain Resource"));
			}
		}
		if (origin.query() != null) {
			event.addEntity()
				.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
				.setRole(new Coding(OBJECT_ROLE, "24", "Query"))
				.setQuery(Base64.getEncoder().encode(origin.query().getBytes(StandardCharsets.UTF_8)));
		}
		return event;
	}

	/**
	 * Where a request came from.
	 *
	 * @param query the query string of a search (kept base64-encoded, as BALP does)
	 * @param address the client's network address
	 * @param requestId the request id that is also in the logs
	 */
	record RequestOrigin(String query, String address, String requestId) {

		static RequestOrigin of(RequestDetails request) {
			if (request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null) {
				HttpServletRequest http = servlet.getServletRequest();
				return new RequestOrigin(http.getQueryString(), http.getRemoteAddr(), RequestId.of(http));
			}
			return new RequestOrigin(null, null, null);
		}

		RequestOrigin withoutQuery() {
			return new RequestOrigin(null, this.address, this.requestId);
		}

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
