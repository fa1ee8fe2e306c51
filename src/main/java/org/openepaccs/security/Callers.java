package org.openepaccs.security;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Reads the {@link Caller} out of the request's access token, with the configured claims
 * mapping.
 */
@Component
public class Callers {

	/** The header a clinician sends, with a reason, to break the glass. */
	public static final String BREAK_GLASS_HEADER = "X-Break-Glass";

	/**
	 * The header a clinician sends, with a reason, to record the new sharing decision of
	 * a person whose refusal another organisation recorded.
	 */
	public static final String SHARING_DECISION_HEADER = "X-Sharing-Decision";

	private static final String CALLER_ATTRIBUTE = Callers.class.getName() + ".caller";

	private final AccessProperties.Claims claims;

	Callers(AccessProperties properties) {
		this.claims = properties.claims();
	}

	/** The caller of the current request, if it carried a valid token. */
	public Optional<Caller> current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!(authentication instanceof JwtAuthenticationToken token)) {
			return Optional.empty();
		}
		// asked by every interceptor of a request: read the token once per request
		if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
			HttpServletRequest request = attributes.getRequest();
			if (request.getAttribute(CALLER_ATTRIBUTE) instanceof Caller caller) {
				return Optional.of(caller);
			}
			Caller caller = fromToken(token.getToken());
			request.setAttribute(CALLER_ATTRIBUTE, caller);
			return Optional.of(caller);
		}
		return Optional.of(fromToken(token.getToken()));
	}

	Caller fromToken(Jwt jwt) {
		Role role = null;
		String organisation = first(strings(jwt.getClaim(this.claims.organisation())));
		if (!this.claims.roleEntries().isBlank()) {
			RoleEntry entry = selectedRoleEntry(jwt);
			if (entry != null) {
				role = entry.role();
				organisation = (entry.organisation() != null) ? entry.organisation() : organisation;
			}
		}
		else {
			for (String value : strings(jwt.getClaim(this.claims.role()))) {
				Optional<Role> known = knownRole(value);
				if (known.isPresent()) {
					role = known.get();
					break;
				}
			}
		}
		Object scope = jwt.getClaim("scope");
		String scopes = (scope instanceof Collection<?> list) ? String.join(" ", strings(list))
				: (scope != null) ? scope.toString() : null;
		String purpose = jwt.getClaimAsString(this.claims.purposeOfUse());
		String breakGlass = breakGlassHeader();
		if (breakGlass == null && Caller.EMERGENCY_TREATMENT.equals(purpose)) {
			breakGlass = "emergency treatment (purpose of use in the access token)";
		}
		if (breakGlass != null) {
			purpose = Caller.EMERGENCY_TREATMENT;
		}
		return new Caller(jwt.getClaimAsString(this.claims.user()),
				firstNonNull(jwt.getClaimAsString("client_id"), jwt.getClaimAsString("azp"), jwt.getSubject()), role,
				organisation, SmartScope.parseAll(scopes), jwt.getClaimAsString(this.claims.patient()), purpose,
				breakGlass);
	}

	private Optional<Role> knownRole(String value) {
		return Role.fromClaim(this.claims.roleValues().getOrDefault(value, value));
	}

	/**
	 * The role entry (CIS2 RBAC) the user is acting in: the one the token names as
	 * selected, else the first with a role we know; null if none qualifies. A selected
	 * entry whose role we do not know gives no role, rather than another entry's.
	 */
	private RoleEntry selectedRoleEntry(Jwt jwt) {
		if (!(jwt.getClaim(this.claims.roleEntries()) instanceof Collection<?> entries)) {
			return null;
		}
		String selected = jwt.getClaimAsString(this.claims.selectedRole());
		for (Object item : entries) {
			if (!(item instanceof Map<?, ?> entry)) {
				continue;
			}
			boolean isSelected = selected != null && selected.equals(String.valueOf(entry.get("person_roleid")));
			if (selected != null && !isSelected) {
				continue;
			}
			Role role = null;
			for (String part : String.valueOf(entry.get("role_code")).split(":")) {
				Optional<Role> known = knownRole(part);
				if (known.isPresent()) {
					role = known.get();
					break;
				}
			}
			if (role != null || isSelected) {
				Object org = entry.get("org_code");
				return (role != null) ? new RoleEntry(role, (org != null) ? org.toString() : null) : null;
			}
		}
		return null;
	}

	private record RoleEntry(Role role, String organisation) {

	}

	/**
	 * The reason the current request gives in {@link #SHARING_DECISION_HEADER}, kept
	 * short and printable for the audit trail, or null.
	 */
	public static String sharingDecisionReason() {
		return reasonIn(SHARING_DECISION_HEADER);
	}

	/**
	 * The declared reason of the current request's {@code X-Break-Glass} header, if any.
	 */
	private static String breakGlassHeader() {
		return reasonIn(BREAK_GLASS_HEADER);
	}

	private static String reasonIn(String header) {
		if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
			String reason = attributes.getRequest().getHeader(header);
			if (reason != null && !reason.isBlank()) {
				// a free-text reason, kept short and printable for the audit trail
				String printable = reason.replaceAll("[^\\p{Print}]", "").trim();
				return printable.substring(0, Math.min(printable.length(), 200));
			}
		}
		return null;
	}

	private static java.util.List<String> strings(Object claim) {
		if (claim instanceof Collection<?> values) {
			return values.stream().filter(java.util.Objects::nonNull).map(Object::toString).toList();
		}
		return (claim != null) ? java.util.List.of(claim.toString()) : java.util.List.of();
	}

	private static String first(java.util.List<String> values) {
		return values.isEmpty() ? null : values.get(0);
	}

	private static String firstNonNull(String... values) {
		for (String value : values) {
			if (value != null) {
				return value;
			}
		}
		return null;
	}

}
