package org.openepaccs.summary;

import java.util.List;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.RelatedPerson;

/**
 * Carers and next of kin: each related person still active, with their relationship and
 * contact details.
 */
final class CarersSection {

	private CarersSection() {
	}

	static Section of(PlanRecord record, Names names) {
		Section section = new Section("Carers and next of kin", SectionCode.PLAN_OF_CARE);
		List<RelatedPerson> people = record.all(RelatedPerson.class)
			.stream()
			.filter((person) -> !person.hasActive() || person.getActive())
			.toList();
		if (people.isEmpty()) {
			section.text().paragraph("No carers or next of kin recorded.");
		}
		for (RelatedPerson person : people) {
			String relationship = person.getRelationship()
				.stream()
				.map(Wording::text)
				.collect(Collectors.joining(", "));
			section.add(person, names.of(person) + (relationship.isEmpty() ? "" : " (" + relationship + ")")
					+ Names.contacts(person.getTelecom()), names, record, false);
		}
		return section;
	}

}
