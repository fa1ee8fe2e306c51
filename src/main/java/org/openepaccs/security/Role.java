package org.openepaccs.security;

import java.util.Locale;
import java.util.Optional;

/**
 * The care roles the server knows, named by the value of the role claim in an access
 * token (see {@link AccessProperties.Claims#role()}).
 */
public enum Role {

	/** GP or community practitioner (GP practice, district nursing, palliative team). */
	CLINICIAN("clinician"),

	/** Out-of-hours or urgent-care clinician (OOH GP, 111, ambulance). */
	OOH_CLINICIAN("ooh-clinician"),

	/** 24/7 single point of contact hub. */
	SPOC_HUB("spoc-hub"),

	/** ICB commissioner or analyst: aggregate, de-identified data only. */
	ICB_ANALYST("icb-analyst"),

	/** A GP or community clinical system's back end, writing records for its practice. */
	SYSTEM_INTEGRATION("system-integration"),

	/** Server administrator: conformance resources, never clinical records. */
	ADMIN("admin");

	private final String claimValue;

	Role(String claimValue) {
		this.claimValue = claimValue;
	}

	public String claimValue() {
		return this.claimValue;
	}

	public static Optional<Role> fromClaim(String value) {
		if (value == null) {
			return Optional.empty();
		}
		String wanted = value.trim().toLowerCase(Locale.ROOT);
		for (Role role : values()) {
			if (role.claimValue.equals(wanted)) {
				return Optional.of(role);
			}
		}
		return Optional.empty();
	}

}
