package org.openepaccs.summary;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.openepaccs.common.Systems;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.common.NhsNumber;

import static org.openepaccs.common.Systems.ODS;

/**
 * Builds the out-of-hours plan summary, a FHIR document, from one person's record. Pure:
 * no storage, no clock, no request; everything comes in as arguments.
 * <p>
 * Each section lists the current version of what it shows as entries and says it again in
 * a narrative a clinician can read without a FHIR viewer, each item with when it was last
 * changed and by whom. A section with nothing to show says so (and carries an empty
 * reason), because at 3 a.m. "no CPR decision recorded" must not look like a page that
 * failed to load.
 * <p>
 * What each section shows is its own class's ({@link RegisterSection} and the rest); this
 * class puts them in order and makes the document: the Composition, its author and
 * custodian, and the entries the sections reach.
 */
final class PlanSummaryBuilder {

	/** SNOMED CT: End of Life Care Coordination Summary (the NRL pointer type). */
	static final String SUMMARY_TYPE = "861421000000109";

	static final String TITLE = "End of life care coordination summary";

	private static final String EMPTY_REASONS = "http://terminology.hl7.org/CodeSystem/list-empty-reason";

	static final String COMPOSITION_PROFILE = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-summary-composition";

	static final String DOCUMENT_PROFILE = ConformancePackage.CANONICAL_BASE
			+ "/StructureDefinition/epaccs-summary-document";

	/** Finds the references an entry makes; holds no state of its own. */
	private final FhirTerser terser = FhirContext.forR4Cached().newTerser();

	private final SummaryCodes codes;

	private final SummaryProperties source;

	PlanSummaryBuilder(SummaryCodes codes, SummaryProperties source) {
		this.codes = codes;
		this.source = source;
	}

	/**
	 * @param record the person's record as the caller may see it
	 * @param now when the summary is made
	 * @param serverBase the FHIR base URL, for the entries' full URLs
	 */
	Bundle build(PlanRecord record, Instant now, String serverBase) {
		Patient patient = record.all(Patient.class)
			.stream()
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("a plan record has its Patient"));
		Names names = new Names(record);
		List<Section> sections = sections(record, patient, names);

		Composition composition = new Composition();
		composition.setId(UUID.randomUUID().toString());
		composition.getMeta().addProfile(COMPOSITION_PROFILE);
		composition.setStatus(Composition.CompositionStatus.FINAL);
		composition.setType(
				new CodeableConcept(new Coding(Systems.SNOMED, SUMMARY_TYPE, "End of Life Care Coordination Summary"))
					.setText(TITLE));
		composition
			.setSubject(new Reference("Patient/" + patient.getIdElement().getIdPart()).setDisplay(names.of(patient)));
		composition.setDate(Date.from(now));
		Organization custodian = custodian();
		Device server = server(custodian);
		composition.addAuthor(new Reference(fullUrl(server)).setDisplay(this.source.serverName()));
		composition.setCustodian(new Reference(fullUrl(custodian)).setDisplay(custodian.getName()));
		composition.setTitle(TITLE);
		composition.setText(narrative(header(patient, names, now)));

		Bundle document = new Bundle().setType(Bundle.BundleType.DOCUMENT);
		document.getMeta().addProfile(DOCUMENT_PROFILE);
		document
			.setIdentifier(new Identifier().setSystem("urn:ietf:rfc:3986").setValue("urn:uuid:" + UUID.randomUUID()));
		document.setTimestamp(Date.from(now));
		// under the server's base like the rest, so that the sections' relative
		// references resolve to the entries (a urn:uuid base would not)
		document.addEntry()
			.setFullUrl(serverBase + "/Composition/" + composition.getIdElement().getIdPart())
			.setResource(composition);
		Map<String, Resource> entries = new LinkedHashMap<>();
		entries.put(PlanRecord.key(patient), patient);
		for (Section section : sections) {
			Composition.SectionComponent part = composition.addSection()
				.setTitle(section.title())
				.setCode(section.code().concept())
				.setText(narrative(section.text()));
			for (Resource resource : section.entries()) {
				part.addEntry(new Reference(PlanRecord.key(resource)));
				entries.putIfAbsent(PlanRecord.key(resource), resource);
			}
			if (section.entries().isEmpty()) {
				part.setEmptyReason(new CodeableConcept(new Coding(EMPTY_REASONS, "nilknown", "Nil Known"))
					.setText("Nothing recorded"));
			}
		}
		addDirectoryEntriesReferenced(entries, record.directory());
		entries
			.forEach((key, resource) -> document.addEntry().setFullUrl(serverBase + "/" + key).setResource(resource));
		document.addEntry().setFullUrl(fullUrl(server)).setResource(server);
		document.addEntry().setFullUrl(fullUrl(custodian)).setResource(custodian);
		return document;
	}

	/** The sections, in the order the summary shows them. */
	private List<Section> sections(PlanRecord record, Patient patient, Names names) {
		// split here, not in either medicines section, because every current medicine
		// shows in exactly one of the two
		List<Procedure> boxes = record.all(Procedure.class)
			.stream()
			.filter((procedure) -> procedure.getStatus() != Procedure.ProcedureStatus.ENTEREDINERROR
					&& procedure.getStatus() != Procedure.ProcedureStatus.NOTDONE
					&& SummaryCodes.in(procedure.getCode(), this.codes.anticipatoryMedicines()))
			.toList();
		AnticipatoryMedicines.Split medicines = AnticipatoryMedicines.split(boxes,
				record.all(MedicationRequest.class)
					.stream()
					.filter((request) -> request.getStatus() == MedicationRequest.MedicationRequestStatus.ACTIVE)
					.toList());
		List<Section> sections = new ArrayList<>();
		sections.add(RegisterSection.of(record, patient, names, this.codes));
		sections.add(ResuscitationSection.of(record, names, this.codes));
		sections.add(LegalSection.of(record, names, this.codes));
		sections.add(PreferredPlacesSection.of(record, names, this.codes));
		sections.add(AdvanceCarePlanSection.of(record, names, this.codes));
		sections.add(MedicinesSections.anticipatory(record, names, boxes, medicines.anticipatory()));
		sections.add(MedicinesSections.other(record, names, medicines.other()));
		sections.add(PrognosisSection.of(record, names, this.codes));
		sections.add(FunctionalStatusSection.of(record, names, this.codes));
		sections.add(CareTeamSection.of(record, names));
		sections.add(CarersSection.of(record, names));
		sections.add(DocumentsSection.of(record, names));
		return sections;
	}

	/**
	 * Adds the directory entries (organisations, practitioners, roles, services,
	 * medicines) that the entries reference, and those that these reference in turn: the
	 * document carries nothing its Composition does not reach. Only directory entries are
	 * followed: a record resource is in the document only when a section lists it as
	 * current, so a stopped medicine or a withdrawn preference that something else still
	 * points at never reaches a viewer that shows every entry (its reference is left
	 * unresolved).
	 */
	private void addDirectoryEntriesReferenced(Map<String, Resource> entries, Map<String, Resource> directory) {
		Deque<Resource> toFollow = new ArrayDeque<>(entries.values());
		while (!toFollow.isEmpty()) {
			for (Reference reference : this.terser.getAllPopulatedChildElementsOfType(toFollow.pop(),
					Reference.class)) {
				IIdType target = reference.getReferenceElement();
				if (target.getResourceType() == null || !target.hasIdPart() || target.isLocal()
						|| target.isAbsolute()) {
					continue;
				}
				String key = target.getResourceType() + "/" + target.getIdPart();
				Resource entry = directory.get(key);
				if (entry != null && !entries.containsKey(key)) {
					entries.put(key, entry);
					toFollow.add(entry);
				}
			}
		}
	}

	/**
	 * The organisation operating this EPaCCS, which answers for the record the summary is
	 * made from: the custodian. Not a stored resource, so named by a UUID made from its
	 * name and ODS code, the same in every summary.
	 */
	private Organization custodian() {
		Organization custodian = new Organization().setName(this.source.custodianName());
		if (this.source.custodianOdsCode() != null && !this.source.custodianOdsCode().isBlank()) {
			custodian.addIdentifier().setSystem(ODS).setValue(this.source.custodianOdsCode());
		}
		custodian
			.setId(UUID
				.nameUUIDFromBytes(("custodian|" + this.source.custodianName() + "|" + this.source.custodianOdsCode())
					.getBytes(StandardCharsets.UTF_8))
				.toString());
		return custodian;
	}

	/**
	 * The author: this server, which assembled the summary from the record as it stood.
	 * Not a person, because no one wrote the summary: who recorded each item is said with
	 * the item.
	 */
	private Device server(Organization custodian) {
		Device server = new Device();
		server.addDeviceName().setName(this.source.serverName()).setType(Device.DeviceNameType.USERFRIENDLYNAME);
		server.setOwner(new Reference(fullUrl(custodian)).setDisplay(custodian.getName()));
		server.setId(UUID
			.nameUUIDFromBytes(
					("server|" + this.source.serverName() + "|" + custodian.getId()).getBytes(StandardCharsets.UTF_8))
			.toString());
		return server;
	}

	private static String fullUrl(Resource synthesised) {
		return "urn:uuid:" + synthesised.getIdElement().getIdPart();
	}

	private static Narrative narrative(SectionText text) {
		return new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED).setDiv(text.div());
	}

	private SectionText header(Patient patient, Names names, Instant now) {
		SectionText text = new SectionText();
		List<String> identity = new ArrayList<>();
		identity.add(names.of(patient));
		if (patient.hasBirthDate()) {
			identity.add("born " + SectionText.when(patient.getBirthDateElement()));
		}
		patient.getIdentifier()
			.stream()
			.filter((identifier) -> NhsNumber.SYSTEM.equals(identifier.getSystem()))
			.findFirst()
			.ifPresent((identifier) -> identity.add("NHS number " + identifier.getValue()));
		text.paragraph(String.join(", ", identity));
		if (patient.hasGeneralPractitioner()) {
			text.paragraph("Registered GP: "
					+ patient.getGeneralPractitioner().stream().map(names::of).collect(Collectors.joining("; ")));
		}
		text.paragraph("The current plan as recorded at " + SectionText.when(now)
				+ " (UK time). Each item says when it was last changed and by whom.");
		return text;
	}

}
