package org.openepaccs.security;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMART resource scope, v1 ({@code user/CarePlan.write}, {@code system/*.read}) or v2
 * ({@code patient/Observation.rs}, {@code system/*.cruds}). v2 query-parameter
 * restrictions ({@code ?category=...}) are not supported: such scopes grant nothing.
 *
 * @param context whose data: the patient in context, what the user may see, or a system
 * @param resourceType a FHIR type, or {@code *}
 * @param interactions what may be done
 */
public record SmartScope(Context context, String resourceType, Set<Interaction> interactions) {

	private static final Pattern SCOPE = Pattern.compile("(patient|user|system)/(\\*|[A-Z][A-Za-z]+)\\.([a-z*]+)");

	public enum Context {

		PATIENT, USER, SYSTEM

	}

	public boolean grants(String type, Interaction interaction) {
		return ("*".equals(this.resourceType) || this.resourceType.equals(type))
				&& this.interactions.contains(interaction);
	}

	/**
	 * The resource scopes in a space-separated {@code scope} claim; others are ignored.
	 */
	public static List<SmartScope> parseAll(String scopeClaim) {
		List<SmartScope> scopes = new ArrayList<>();
		if (scopeClaim != null) {
			for (String scope : scopeClaim.trim().split("\\s+")) {
				parse(scope).ifPresent(scopes::add);
			}
		}
		return List.copyOf(scopes);
	}

	public static Optional<SmartScope> parse(String scope) {
		Matcher matcher = SCOPE.matcher(scope);
		if (!matcher.matches()) {
			return Optional.empty();
		}
		Context context = Context.valueOf(matcher.group(1).toUpperCase(java.util.Locale.ROOT));
		return interactions(matcher.group(3))
			.map((interactions) -> new SmartScope(context, matcher.group(2), interactions));
	}

	private static Optional<Set<Interaction>> interactions(String permissions) {
		switch (permissions) {
			case "read":
				return Optional.of(EnumSet.of(Interaction.READ, Interaction.SEARCH));
			case "write":
				return Optional.of(EnumSet.of(Interaction.CREATE, Interaction.UPDATE, Interaction.DELETE));
			case "*":
				return Optional.of(EnumSet.allOf(Interaction.class));
			default:
				// v2: a subset of "cruds", in that order, each letter at most once
				if (!permissions.matches("c?r?u?d?s?") || permissions.isEmpty()) {
					return Optional.empty();
				}
				Set<Interaction> granted = EnumSet.noneOf(Interaction.class);
				for (Interaction interaction : Interaction.values()) {
					if (permissions.indexOf(interaction.letter()) >= 0) {
						granted.add(interaction);
					}
				}
				return Optional.of(granted);
		}
	}

}
