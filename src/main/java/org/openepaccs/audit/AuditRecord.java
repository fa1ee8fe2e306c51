package org.openepaccs.audit;

import java.time.Instant;
import java.util.List;

import org.openepaccs.security.Caller;

/**
 * One audited interaction as plain values, the way it is stored: turned into an
 * {@code AuditEvent} only when someone reads the trail, so that recording an event costs
 * no FHIR encoding on the request's path.
 *
 * @param recorded when
 * @param interaction the restful-interaction code ({@code read}, {@code vread},
 * {@code search-type}, {@code create}, {@code update}, {@code patch}, {@code delete},
 * {@code history-instance}, {@code operation}, …)
 * @param outcome 0 success, 4 refused or client error, 8 server error
 * @param user the user's id, or null when the request carried no valid token
 * @param client the OAuth2 client, or null
 * @param role the care role's claim value, or null
 * @param organisation the caller's ODS code, or null
 * @param purposeOfUse the declared purpose of use, or null
 * @param breakGlassReason why the glass was broken, or null
 * @param address the client's network address, or null
 * @param requestId the request id that is also in the logs, or null
 * @param query the query string of a search, or null
 * @param detail why it failed, for a refusal, or null
 * @param patients the patients whose data the interaction touched ({@code Patient/id})
 * @param resources the other resources it was about ({@code Type/id})
 */
record AuditRecord(Instant recorded, String interaction, String outcome, String user, String client, String role,
		String organisation, String purposeOfUse, String breakGlassReason, String address, String requestId,
		String query, String detail, List<String> patients, List<String> resources) {

	AuditRecord {
		patients = List.copyOf(patients);
		resources = List.copyOf(resources);
	}

	/**
	 * @param caller who, or null when the request carried no valid token
	 * @param involved the resources the interaction was about and the patients whose data
	 * it touched
	 */
	static AuditRecord of(String interaction, Caller caller, String outcome, AuditedResources involved,
			RequestOrigin origin, String detail) {
		List<String> patients = involved.patients();
		List<String> others = involved.resources().stream().filter((resource) -> !patients.contains(resource)).toList();
		return new AuditRecord(Instant.now(), interaction, outcome, (caller != null) ? caller.user() : null,
				(caller != null) ? caller.clientId() : null,
				(caller != null && caller.role() != null) ? caller.role().claimValue() : null,
				(caller != null) ? caller.organisation() : null, (caller != null) ? caller.purposeOfUse() : null,
				(caller != null) ? caller.breakGlassReason() : null, origin.address(), origin.requestId(),
				origin.query(), detail, patients, others);
	}

}
