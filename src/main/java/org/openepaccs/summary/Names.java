package org.openepaccs.summary;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.openepaccs.audit.RecordChanges;

import static org.openepaccs.summary.Wording.text;

/**
 * How people, organisations and their contact details read in the narrative, from the
 * directory entries the record names, or the references' own display text.
 */
final class Names {

	private final Map<String, Resource> byKey = new LinkedHashMap<>();

	Names(PlanRecord record) {
		record.record().forEach((resource) -> this.byKey.put(PlanRecord.key(resource), resource));
		this.byKey.putAll(record.directory());
	}

	String of(Reference reference) {
		if (reference == null || reference.isEmpty()) {
			return "(not named)";
		}
		Resource resource = (reference.getReference() != null) ? this.byKey.get(reference.getReference()) : null;
		if (resource != null) {
			return of(resource);
		}
		if (reference.hasDisplay()) {
			return reference.getDisplay();
		}
		return (reference.getReference() != null) ? reference.getReference() : "(not named)";
	}

	String withContacts(Reference reference) {
		Resource resource = (reference.getReference() != null) ? this.byKey.get(reference.getReference()) : null;
		return of(reference) + contacts(telecom(resource));
	}

	String of(Resource resource) {
		if (resource instanceof Patient patient) {
			return name(patient.getName());
		}
		if (resource instanceof Practitioner practitioner) {
			return name(practitioner.getName());
		}
		if (resource instanceof RelatedPerson person) {
			return name(person.getName());
		}
		if (resource instanceof Organization organisation) {
			return organisation.hasName() ? organisation.getName() : PlanRecord.key(organisation);
		}
		if (resource instanceof HealthcareService service) {
			return service.hasName() ? service.getName() : PlanRecord.key(service);
		}
		if (resource instanceof Medication medication) {
			return medication.hasCode() ? text(medication.getCode()) : PlanRecord.key(medication);
		}
		if (resource instanceof PractitionerRole role) {
			List<String> parts = new ArrayList<>();
			if (role.hasPractitioner()) {
				parts.add(of(role.getPractitioner()));
			}
			if (role.hasCode()) {
				parts.add(text(role.getCode()));
			}
			if (role.hasOrganization()) {
				parts.add(of(role.getOrganization()));
			}
			return parts.isEmpty() ? PlanRecord.key(role) : String.join(", ", parts);
		}
		return PlanRecord.key(resource);
	}

	private static List<ContactPoint> telecom(Resource resource) {
		if (resource instanceof PractitionerRole role) {
			return role.getTelecom();
		}
		if (resource instanceof Organization organisation) {
			return organisation.getTelecom();
		}
		if (resource instanceof HealthcareService service) {
			return service.getTelecom();
		}
		if (resource instanceof RelatedPerson person) {
			return person.getTelecom();
		}
		if (resource instanceof Practitioner practitioner) {
			return practitioner.getTelecom();
		}
		return List.of();
	}

	static String contacts(List<ContactPoint> telecom) {
		String contacts = telecom.stream()
			.filter(ContactPoint::hasValue)
			.map((point) -> (point.hasSystem() ? point.getSystem().getDisplay().toLowerCase(Locale.UK) + " " : "")
					+ point.getValue() + (point.hasUse() ? " (" + point.getUse().toCode() + ")" : ""))
			.collect(Collectors.joining(", "));
		return contacts.isEmpty() ? "" : " - " + contacts;
	}

	private static String name(List<HumanName> names) {
		return names.stream()
			.filter((name) -> name.getUse() != HumanName.NameUse.OLD)
			.findFirst()
			.map((name) -> name.hasText() ? name.getText() : name.getNameAsSingleString())
			.filter((name) -> !name.isBlank())
			.orElse("(no name recorded)");
	}

	/** When a resource was last changed, and by whom where the trail knows it. */
	String changed(Resource resource, RecordChanges.Change change) {
		if (change != null) {
			return "changed " + SectionText.when(change.recorded()) + " by " + change.user()
					+ ((change.role() != null) ? ", " + change.role() : "")
					+ ((change.organisation() != null) ? ", " + this.organisation(change.organisation()) : "");
		}
		Date lastUpdated = resource.getMeta().getLastUpdated();
		return (lastUpdated != null) ? "changed " + SectionText.when(lastUpdated) : null;
	}

	private String organisation(String odsCode) {
		return this.byKey.values()
			.stream()
			.filter((resource) -> resource instanceof Organization organisation && organisation.getIdentifier()
				.stream()
				.anyMatch((identifier) -> odsCode.equals(identifier.getValue())))
			.map(this::of)
			.findFirst()
			.map((name) -> name + " (" + odsCode + ")")
			.orElse("organisation " + odsCode);
	}

}
