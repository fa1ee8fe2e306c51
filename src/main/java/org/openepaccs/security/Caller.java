package org.openepaccs.security;

import java.util.List;

/**
 * Who is calling, as the access token says, in our terms.
 *
 * @param user the user's id (for a system client, its client id)
 * @param clientId the OAuth2 client
 * @param role the care role, or null when the token names none we know
 * @param organisation the caller's organisation (ODS code), or null
 * @param scopes the SMART resource scopes granted
 * @param patient the patient id a {@code patient/} scope is bound to, or null
 * @param purposeOfUse the declared purpose of use, or null
 * @param breakGlassReason why the caller broke the glass ({@code X-Break-Glass} header or
 * an emergency-treatment purpose of use), or null
 */
public record Caller(String user, String clientId, Role role, String organisation, List<SmartScope> scopes,
		String patient, String purposeOfUse, String breakGlassReason) {

	/**
	 * Emergency treatment (HL7 v3 ActReason): the purpose of use of a break-glass access.
	 */
	public static final String EMERGENCY_TREATMENT = "ETREAT";

	public Caller {
		scopes = List.copyOf(scopes);
	}

	public boolean breaksTheGlass() {
		return this.breakGlassReason != null;
	}

	/** Whether the role may break the glass: only those who treat people. */
	public boolean isClinical() {
		return this.role == Role.CLINICIAN || this.role == Role.OOH_CLINICIAN;
	}

	public boolean hasScope(String type, Interaction interaction) {
		return this.scopes.stream().anyMatch((scope) -> scope.grants(type, interaction));
	}

	/**
	 * Whether the only scopes that grant this are {@code patient/} ones, which confine
	 * the caller to one patient's compartment.
	 */
	public boolean onlyPatientScoped(String type, Interaction interaction) {
		return this.scopes.stream()
			.filter((scope) -> scope.grants(type, interaction))
			.allMatch((scope) -> scope.context() == SmartScope.Context.PATIENT);
	}

}
