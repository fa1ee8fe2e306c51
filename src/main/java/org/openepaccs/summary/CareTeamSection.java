package org.openepaccs.summary;

import java.util.List;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.CareTeam;

/**
 * Care team and 24/7 contacts: each active care team with its members and their contact
 * details, the 24/7 contacts in bold.
 */
final class CareTeamSection {

	private CareTeamSection() {
	}

	static Section of(PlanRecord record, Names names) {
		Section section = new Section("Care team and 24/7 contacts", SectionCode.PLAN_OF_CARE);
		List<CareTeam> teams = record.all(CareTeam.class)
			.stream()
			.filter((team) -> team.getStatus() == CareTeam.CareTeamStatus.ACTIVE || !team.hasStatus())
			.toList();
		if (teams.isEmpty()) {
			section.text().paragraph("No care team recorded.");
		}
		for (CareTeam team : teams) {
			section.add(team, team.hasName() ? team.getName() : "Care team", names, record, false);
			for (CareTeam.CareTeamParticipantComponent participant : team.getParticipant()) {
				String role = participant.getRole().stream().map(Wording::text).collect(Collectors.joining(", "));
				boolean allHours = participant.getRole()
					.stream()
					.flatMap((concept) -> concept.getCoding().stream())
					.anyMatch((coding) -> "24-7-contact".equals(coding.getCode()));
				section.text()
					.item((role.isEmpty() ? "" : role + ": ") + names.withContacts(participant.getMember()), null,
							allHours);
			}
		}
		return section;
	}

}
