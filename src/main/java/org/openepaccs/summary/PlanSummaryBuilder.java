package org.openepaccs.summary;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Type;
import org.openepaccs.audit.RecordChanges;
import org.openepaccs.common.Systems;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.records.NhsNumber;
import org.openepaccs.records.RecordMeanings;

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
 */
final class PlanSummaryBuilder {

	/** SNOMED CT: End of Life Care Coordination Summary (the NRL pointer type). */
	static final String SUMMARY_TYPE = "861421000000109";

	static final String TITLE = "End of life care coordination summary";

	private static final String EXTENSIONS = ConformancePackage.CANONICAL_BASE + "/StructureDefinition/";

	private static final String REVIEW_DATE = EXTENSIONS + "epaccs-plan-review-date";

	private static final String PRIORITY_SCALE = EXTENSIONS + "epaccs-respect-priority-scale";

	private static final String LPA_COVERS_LIFE_SUSTAINING = EXTENSIONS + "epaccs-lpa-covers-life-sustaining-treatment";

	private static final String END_REASON = EXTENSIONS + "epaccs-register-end-reason";

	private static final String IDENTIFICATION = EXTENSIONS + "epaccs-register-identification";

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
		List<Section> sections = List.of(register(record, patient, names), resuscitation(record, names),
				legal(record, names), preferredPlaces(record, names), plans(record, names),
				anticipatoryMedicines(record, names, boxes, medicines.anticipatory()),
				otherMedicines(record, names, medicines.other()), prognosis(record, names),
				functionalStatus(record, names), careTeam(record, names), carers(record, names),
				documents(record, names));

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
		// references
		// resolve to the entries (a urn:uuid base would not)
		document.addEntry()
			.setFullUrl(serverBase + "/Composition/" + composition.getIdElement().getIdPart())
			.setResource(composition);
		Map<String, Resource> entries = new LinkedHashMap<>();
		entries.put(key(patient), patient);
		for (Section section : sections) {
			Composition.SectionComponent part = composition.addSection()
				.setTitle(section.title)
				.setCode(section.code.concept())
				.setText(narrative(section.text));
			for (Resource resource : section.entries) {
				part.addEntry(new Reference(key(resource)));
				entries.putIfAbsent(key(resource), resource);
			}
			if (section.entries.isEmpty()) {
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

	private Section register(PlanRecord record, Patient patient, Names names) {
		Section section = new Section("Palliative care register and key worker", SectionCode.ALERTS);
		List<EpisodeOfCare> entries = record.all(EpisodeOfCare.class)
			.stream()
			.filter(RecordMeanings::isRegisterEntry)
			.sorted(Comparator
				.comparing((EpisodeOfCare entry) -> entry.getStatus() == EpisodeOfCare.EpisodeOfCareStatus.ACTIVE)
				.thenComparing((entry) -> entry.getPeriod().getStart(),
						Comparator.nullsFirst(Comparator.naturalOrder()))
				.reversed())
			.toList();
		if (patient.hasDeceasedDateTimeType()) {
			section.text.item("Died " + SectionText.when(patient.getDeceasedDateTimeType()), null, true);
		}
		else if (patient.hasDeceasedBooleanType() && patient.getDeceasedBooleanType().booleanValue()) {
			section.text.item("Has died", null, true);
		}
		current(record.all(Observation.class), this.codes.actualPlaceOfDeath()).forEach((death) -> {
			StringBuilder line = new StringBuilder("Place of death: ").append(text(death.getCode()));
			appendValue(line, death.getValue(), " - ");
			death.getComponent()
				.stream()
				.filter(Observation.ObservationComponentComponent::hasValueBooleanType)
				.findFirst()
				.ifPresent((achieved) -> line.append("; first-choice preferred place of death achieved: ")
					.append(achieved.getValueBooleanType().booleanValue() ? "yes" : "no"));
			death.getNote().forEach((note) -> line.append("; ").append(note.getText()));
			section.add(death, line.toString(), names, record, false);
		});
		if (entries.isEmpty()) {
			section.text.paragraph("Not on the palliative care register.");
		}
		else {
			EpisodeOfCare entry = entries.get(0);
			boolean active = entry.getStatus() == EpisodeOfCare.EpisodeOfCareStatus.ACTIVE;
			StringBuilder line = new StringBuilder(
					active ? "On the palliative care register since " : "Not on the register now: was on it from ");
			line.append(SectionText.when(entry.getPeriod().getStartElement()));
			if (!active) {
				line.append(" to ").append(Objects.toString(SectionText.when(entry.getPeriod().getEndElement()), "?"));
				Extension reason = entry.getExtensionByUrl(END_REASON);
				if (reason != null && reason.getValue() instanceof CodeableConcept concept) {
					line.append(" (").append(text(concept)).append(")");
				}
			}
			if (entry.hasManagingOrganization()) {
				line.append(", practice: ").append(names.of(entry.getManagingOrganization()));
			}
			Extension identified = entry.getExtensionByUrl(IDENTIFICATION);
			if (identified != null && identified.getValue() instanceof CodeableConcept how) {
				line.append("; identified by: ").append(text(how));
			}
			section.add(entry, line.toString(), names, record, active);
			if (entry.hasCareManager()) {
				section.text.paragraph("Key worker: " + names.withContacts(entry.getCareManager()));
			}
			entry.getDiagnosis()
				.forEach((diagnosis) -> section.text.paragraph("Diagnosis: " + names.of(diagnosis.getCondition())));
		}
		record.all(Flag.class)
			.stream()
			.filter((flag) -> flag.getStatus() == Flag.FlagStatus.ACTIVE
					&& SummaryCodes.in(flag.getCode(), this.codes.registerFlag()))
			.forEach((flag) -> section.add(flag, "Alert: " + text(flag.getCode()), names, record, false));
		return section;
	}

	private Section resuscitation(PlanRecord record, Names names) {
		Section section = new Section("CPR decision and ReSPECT recommendations", SectionCode.ADVANCE_DIRECTIVES);
		List<Flag> decisions = record.all(Flag.class)
			.stream()
			.filter((flag) -> flag.getStatus() == Flag.FlagStatus.ACTIVE
					&& SummaryCodes.in(flag.getCode(), this.codes.cprDecision()))
			.toList();
		if (decisions.isEmpty()) {
			section.text.paragraph("No CPR decision recorded.");
		}
		for (Flag decision : decisions) {
			StringBuilder line = new StringBuilder("CPR decision: ").append(text(decision.getCode()));
			if (decision.getPeriod().hasStart()) {
				line.append(", made ").append(SectionText.when(decision.getPeriod().getStartElement()));
			}
			if (decision.getPeriod().hasEnd()) {
				line.append(", review by ").append(SectionText.when(decision.getPeriod().getEndElement()));
			}
			if (decision.hasAuthor()) {
				line.append(", by ").append(names.of(decision.getAuthor()));
			}
			section.add(decision, line.toString(), names, record, true);
		}
		for (CarePlan plan : activePlans(record, true)) {
			StringBuilder line = new StringBuilder(plan.hasTitle() ? plan.getTitle() : text(plan.getCategory()));
			reviewDate(plan).ifPresent((date) -> line.append(", review by ").append(date));
			Extension scale = plan.getExtensionByUrl(PRIORITY_SCALE);
			if (scale != null) {
				Extension position = scale.getExtensionByUrl("scale");
				Extension statement = scale.getExtensionByUrl("statement");
				if (position != null && position.hasValue()) {
					line.append("; care priority ")
						.append(position.getValue().primitiveValue())
						.append(" on the scale from 0 (prioritise sustaining life) to 100 (prioritise comfort)");
				}
				if (statement != null && statement.hasValue()) {
					line.append("; in the person's words: \"")
						.append(statement.getValue().primitiveValue())
						.append('"');
				}
			}
			section.add(plan, line.toString(), names, record, false);
			for (CarePlan.CarePlanActivityComponent activity : plan.getActivity()) {
				CarePlan.CarePlanActivityDetailComponent detail = activity.getDetail();
				String recommendation = (detail.getDoNotPerform() ? "Not recommended: " : "Recommended: ")
						+ text(detail.getCode()) + (detail.hasDescription() ? " - " + detail.getDescription() : "");
				section.text.item(recommendation, null, detail.getDoNotPerform());
			}
		}
		return section;
	}

	private Section legal(PlanRecord record, Names names) {
		Section section = new Section("Advance decision to refuse treatment, lasting power of attorney and consent",
				SectionCode.ADVANCE_DIRECTIVES);
		List<Consent> consents = record.all(Consent.class)
			.stream()
			.filter((consent) -> consent.getStatus() == Consent.ConsentState.ACTIVE
					|| consent.getStatus() == Consent.ConsentState.REJECTED)
			.toList();
		boolean any = false;
		for (Consent consent : consents) {
			if (consent.getStatus() == Consent.ConsentState.ACTIVE
					&& SummaryCodes.in(consent.getCategory(), this.codes.adrt())) {
				any = true;
				StringBuilder line = new StringBuilder("Advance decision to refuse treatment");
				String refused = consent.getProvision()
					.getCode()
					.stream()
					.map(PlanSummaryBuilder::text)
					.collect(Collectors.joining("; "));
				if (!refused.isEmpty()) {
					line.append(": refuses ").append(refused);
				}
				if (consent.hasSourceAttachment()) {
					line.append("; document: ").append(attachment(consent.getSourceAttachment()));
				}
				else if (consent.hasSourceReference()) {
					line.append("; document: ").append(names.of(consent.getSourceReference()));
				}
				section.add(consent, line.toString(), names, record, true);
			}
			else if (consent.getStatus() == Consent.ConsentState.ACTIVE
					&& SummaryCodes.in(consent.getCategory(), this.codes.lpa())) {
				any = true;
				StringBuilder line = new StringBuilder("Lasting power of attorney for health and welfare");
				String attorneys = consent.getProvision()
					.getActor()
					.stream()
					.map((actor) -> names.withContacts(actor.getReference()))
					.collect(Collectors.joining("; "));
				if (!attorneys.isEmpty()) {
					line.append(": ").append(attorneys);
				}
				Extension covers = consent.getExtensionByUrl(LPA_COVERS_LIFE_SUSTAINING);
				line.append("; covers life-sustaining treatment: ")
					.append((covers == null || !covers.hasValue()) ? "not stated"
							: "true".equals(covers.getValue().primitiveValue()) ? "yes" : "no");
				section.add(consent, line.toString(), names, record, true);
			}
			else if (consent.getScope()
				.getCoding()
				.stream()
				.anyMatch((coding) -> "patient-privacy".equals(coding.getCode()))) {
				boolean refused = consent.getStatus() == Consent.ConsentState.REJECTED
						|| consent.getProvision().getType() == Consent.ConsentProvisionType.DENY;
				section.add(consent, "Consent to share this record: " + (refused ? "refused" : "given")
						+ (consent.hasDateTime() ? " on " + SectionText.when(consent.getDateTimeElement()) : ""), names,
						record, false);
			}
		}
		if (!any) {
			section.text.paragraph("No advance decision to refuse treatment or lasting power of attorney recorded.");
		}
		return section;
	}

	private Section preferredPlaces(PlanRecord record, Names names) {
		Section section = new Section("Preferred places of care and death", SectionCode.PATIENT_STORY);
		List<Observation> preferences = new ArrayList<>();
		preferences.addAll(ranked(current(record.all(Observation.class), this.codes.preferredPlaceOfDeath())));
		preferences.addAll(ranked(current(record.all(Observation.class), this.codes.preferredPlaceOfCare())));
		if (preferences.isEmpty()) {
			section.text.paragraph("No preferred place of care or death recorded.");
		}
		for (Observation preference : preferences) {
			boolean ofDeath = SummaryCodes.in(preference.getCode(), this.codes.preferredPlaceOfDeath());
			int rank = RecordMeanings.rank(preference);
			StringBuilder line = new StringBuilder((rank == 1) ? "1st choice: " : (rank == 2) ? "2nd choice: " : "");
			line.append(text(preference.getCode()));
			appendValue(line, preference.getValue(), " - ");
			if (preference.hasDataAbsentReason()) {
				line.append(" (").append(text(preference.getDataAbsentReason())).append(")");
			}
			if (preference.hasEffectiveDateTimeType()) {
				line.append(", stated ").append(SectionText.when(preference.getEffectiveDateTimeType()));
			}
			section.add(preference, line.toString(), names, record, ofDeath && rank == 1);
		}
		return section;
	}

	private Section plans(PlanRecord record, Names names) {
		Section section = new Section("Advance care plan and what matters to the person", SectionCode.PLAN_OF_CARE);
		List<CarePlan> plans = activePlans(record, false);
		if (plans.isEmpty()) {
			section.text.paragraph("No advance care plan recorded.");
		}
		for (CarePlan plan : plans) {
			StringBuilder line = new StringBuilder(plan.hasTitle() ? plan.getTitle() : text(plan.getCategory()));
			if (plan.getPeriod().hasStart()) {
				line.append(", from ").append(SectionText.when(plan.getPeriod().getStartElement()));
			}
			reviewDate(plan).ifPresent((date) -> line.append(", review by ").append(date));
			if (plan.hasAuthor()) {
				line.append(", by ").append(names.of(plan.getAuthor()));
			}
			if (plan.hasDescription()) {
				line.append(": ").append(plan.getDescription());
			}
			section.add(plan, line.toString(), names, record, false);
			List<String> matters = new ArrayList<>();
			for (Reference goal : plan.getGoal()) {
				if (goal.getResource() instanceof Goal contained) {
					matters.add(text(contained.getDescription()));
				}
				else if (goal.getReference() != null && goal.getReference().startsWith("#")) {
					plan.getContained()
						.stream()
						.filter((resource) -> resource instanceof Goal
								&& goal.getReference().substring(1).equals(resource.getIdElement().getIdPart()))
						.forEach((resource) -> matters.add(text(((Goal) resource).getDescription())));
				}
				else {
					matters.add(names.of(goal));
				}
			}
			if (!matters.isEmpty()) {
				section.text.paragraph("What matters: " + String.join("; ", matters));
			}
			plan.getNote().forEach((note) -> section.text.paragraph("Note: " + note.getText()));
		}
		return section;
	}

	/**
	 * The anticipatory medicines Procedures that stand and the medicines recorded as
	 * anticipatory (see {@link AnticipatoryMedicines}); every other current medicine goes
	 * to {@link #otherMedicines}.
	 */
	private Section anticipatoryMedicines(PlanRecord record, Names names, List<Procedure> boxes,
			List<MedicationRequest> medicines) {
		Section section = new Section("Anticipatory medicines and where they are kept", SectionCode.MEDICATIONS);
		if (boxes.isEmpty() && medicines.isEmpty()) {
			section.text.paragraph("No anticipatory medicines recorded.");
		}
		for (Procedure box : boxes) {
			StringBuilder line = new StringBuilder(text(box.getCode()));
			if (box.hasPerformedDateTimeType()) {
				line.append(", ").append(SectionText.when(box.getPerformedDateTimeType()));
			}
			if (box.hasLocation()) {
				line.append("; kept at: ").append(names.of(box.getLocation()));
			}
			box.getNote().forEach((note) -> line.append("; ").append(note.getText()));
			if (box.hasUsedCode()) {
				line.append("; contains: ")
					.append(box.getUsedCode().stream().map(PlanSummaryBuilder::text).collect(Collectors.joining(", ")));
			}
			section.add(box, line.toString(), names, record, true);
		}
		byName(medicines, names)
			.forEach((medicine) -> section.add(medicine, medicine(medicine, names), names, record, false));
		return section;
	}

	/**
	 * Medicines in the order of their names, as read: the same list every time, whatever
	 * order the record's search found them in.
	 */
	private static List<MedicationRequest> byName(List<MedicationRequest> medicines, Names names) {
		return medicines.stream()
			.sorted(Comparator.comparing((MedicationRequest medicine) -> medicine(medicine, names),
					String.CASE_INSENSITIVE_ORDER))
			.toList();
	}

	private Section otherMedicines(PlanRecord record, Names names, List<MedicationRequest> medicines) {
		Section section = new Section("Other current medicines (not anticipatory medicines)", SectionCode.MEDICATIONS);
		if (medicines.isEmpty()) {
			section.text.paragraph("No other current medicines recorded.");
		}
		else {
			section.text.paragraph("Current medicines that are not recorded as anticipatory (just in case) medicines."
					+ " This is not a complete medication list: check the GP record.");
		}
		byName(medicines, names)
			.forEach((medicine) -> section.add(medicine, medicine(medicine, names), names, record, false));
		return section;
	}

	private static String medicine(MedicationRequest medicine, Names names) {
		StringBuilder line = new StringBuilder(medicine.hasMedicationCodeableConcept()
				? text(medicine.getMedicationCodeableConcept()) : names.of(medicine.getMedicationReference()));
		medicine.getDosageInstruction()
			.stream()
			.filter((dosage) -> dosage.hasText())
			.forEach((dosage) -> line.append("; ").append(dosage.getText()));
		return line.toString();
	}

	private Section prognosis(PlanRecord record, Names names) {
		Section section = new Section("Prognosis and awareness", SectionCode.PROBLEMS);
		List<Observation> prognoses = newestFirst(current(record.all(Observation.class), this.codes.prognosis()));
		List<Observation> awareness = newestFirst(
				current(record.all(Observation.class), this.codes.prognosisAwareness()));
		if (prognoses.isEmpty() && awareness.isEmpty()) {
			section.text.paragraph("No prognosis recorded.");
		}
		for (Observation observation : prognoses) {
			section.add(observation, "Prognosis: " + text(observation.getCode()) + effective(observation), names,
					record, false);
		}
		for (Observation observation : awareness) {
			section.add(observation, "Awareness: " + text(observation.getCode()) + effective(observation), names,
					record, false);
		}
		return section;
	}

	private Section functionalStatus(PlanRecord record, Names names) {
		Section section = new Section("Functional status", SectionCode.FUNCTIONAL_STATUS);
		List<Observation> scores = newestFirst(current(record.all(Observation.class), this.codes.functionalStatus()));
		if (scores.isEmpty()) {
			section.text.paragraph("No functional status recorded.");
		}
		for (Observation score : scores) {
			StringBuilder line = new StringBuilder(text(score.getCode()));
			appendValue(line, score.getValue(), ": ");
			line.append(effective(score));
			section.add(score, line.toString(), names, record, false);
		}
		return section;
	}

	private Section careTeam(PlanRecord record, Names names) {
		Section section = new Section("Care team and 24/7 contacts", SectionCode.PLAN_OF_CARE);
		List<CareTeam> teams = record.all(CareTeam.class)
			.stream()
			.filter((team) -> team.getStatus() == CareTeam.CareTeamStatus.ACTIVE || !team.hasStatus())
			.toList();
		if (teams.isEmpty()) {
			section.text.paragraph("No care team recorded.");
		}
		for (CareTeam team : teams) {
			section.add(team, team.hasName() ? team.getName() : "Care team", names, record, false);
			for (CareTeam.CareTeamParticipantComponent participant : team.getParticipant()) {
				String role = participant.getRole()
					.stream()
					.map(PlanSummaryBuilder::text)
					.collect(Collectors.joining(", "));
				boolean allHours = participant.getRole()
					.stream()
					.flatMap((concept) -> concept.getCoding().stream())
					.anyMatch((coding) -> "24-7-contact".equals(coding.getCode()));
				section.text.item((role.isEmpty() ? "" : role + ": ") + names.withContacts(participant.getMember()),
						null, allHours);
			}
		}
		return section;
	}

	private Section carers(PlanRecord record, Names names) {
		Section section = new Section("Carers and next of kin", SectionCode.PLAN_OF_CARE);
		List<RelatedPerson> people = record.all(RelatedPerson.class)
			.stream()
			.filter((person) -> !person.hasActive() || person.getActive())
			.toList();
		if (people.isEmpty()) {
			section.text.paragraph("No carers or next of kin recorded.");
		}
		for (RelatedPerson person : people) {
			String relationship = person.getRelationship()
				.stream()
				.map(PlanSummaryBuilder::text)
				.collect(Collectors.joining(", "));
			section.add(person, names.of(person) + (relationship.isEmpty() ? "" : " (" + relationship + ")")
					+ Names.contacts(person.getTelecom()), names, record, false);
		}
		return section;
	}

	private Section documents(PlanRecord record, Names names) {
		Section section = new Section("Documents", SectionCode.ADVANCE_DIRECTIVES);
		List<DocumentReference> documents = record.all(DocumentReference.class)
			.stream()
			.filter((document) -> document
				.getStatus() == org.hl7.fhir.r4.model.Enumerations.DocumentReferenceStatus.CURRENT)
			.toList();
		if (documents.isEmpty()) {
			section.text.paragraph("No documents recorded.");
		}
		for (DocumentReference document : documents) {
			StringBuilder line = new StringBuilder(text(document.getType()));
			if (document.hasDescription()) {
				line.append(": ").append(document.getDescription());
			}
			if (document.hasDate()) {
				line.append(", ").append(SectionText.when(document.getDate()));
			}
			document.getContent().forEach((content) -> line.append("; ").append(attachment(content.getAttachment())));
			section.add(document, line.toString(), names, record, false);
		}
		return section;
	}

	private List<CarePlan> activePlans(PlanRecord record, boolean emergency) {
		return record.all(CarePlan.class)
			.stream()
			.filter((plan) -> plan.getStatus() == CarePlan.CarePlanStatus.ACTIVE
					&& SummaryCodes.in(plan.getCategory(), this.codes.emergencyPlans()) == emergency)
			.toList();
	}

	private static java.util.Optional<String> reviewDate(CarePlan plan) {
		Extension review = plan.getExtensionByUrl(REVIEW_DATE);
		if (review != null && review.getValue() instanceof BaseDateTimeType date) {
			return java.util.Optional.ofNullable(SectionText.when(date));
		}
		return java.util.Optional.empty();
	}

	/** Observations with one of these codes that still stand. */
	private static List<Observation> current(List<Observation> observations, Set<String> codes) {
		return observations.stream()
			.filter((observation) -> observation.getStatus() != Observation.ObservationStatus.ENTEREDINERROR
					&& observation.getStatus() != Observation.ObservationStatus.CANCELLED
					&& SummaryCodes.in(observation.getCode(), codes))
			.toList();
	}

	private static List<Observation> ranked(List<Observation> observations) {
		return observations.stream().sorted(Comparator.comparingInt((Observation o) -> {
			int rank = RecordMeanings.rank(o);
			return (rank > 0) ? rank : Integer.MAX_VALUE;
		})).toList();
	}

	private static List<Observation> newestFirst(List<Observation> observations) {
		return observations.stream()
			.sorted(Comparator.comparing(
					(Observation o) -> o.hasEffectiveDateTimeType() ? o.getEffectiveDateTimeType().getValue() : null,
					Comparator.nullsFirst(Comparator.naturalOrder()))
				.reversed())
			.toList();
	}

	private static String effective(Observation observation) {
		return observation.hasEffectiveDateTimeType() ? ", " + SectionText.when(observation.getEffectiveDateTimeType())
				: "";
	}

	private static void appendValue(StringBuilder line, Type value, String separator) {
		if (value == null || value.isEmpty()) {
			return;
		}
		if (value instanceof CodeableConcept concept) {
			line.append(separator).append(text(concept));
		}
		else if (value instanceof org.hl7.fhir.r4.model.Quantity quantity) {
			line.append(separator)
				.append(quantity.getValue().toPlainString())
				.append(quantity.hasUnit() ? " " + quantity.getUnit() : "");
		}
		else if (value.isPrimitive()) {
			line.append(separator).append(value.primitiveValue());
		}
	}

	private static String attachment(Attachment attachment) {
		if (attachment.hasTitle() && attachment.hasUrl()) {
			return attachment.getTitle() + " <" + attachment.getUrl() + ">";
		}
		return attachment.hasTitle() ? attachment.getTitle()
				: attachment.hasUrl() ? attachment.getUrl() : "attached document";
	}

	static String text(CodeableConcept concept) {
		if (concept == null || concept.isEmpty()) {
			return "(not coded)";
		}
		if (concept.hasText()) {
			return concept.getText();
		}
		return concept.getCoding()
			.stream()
			.map((coding) -> coding.hasDisplay() ? coding.getDisplay() : coding.getCode())
			.filter(Objects::nonNull)
			.findFirst()
			.orElse("(not coded)");
	}

	private static String text(List<CodeableConcept> concepts) {
		return concepts.isEmpty() ? "(not coded)" : text(concepts.get(0));
	}

	private static String key(Resource resource) {
		return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
	}

	/** One section: what it lists, and its narrative. */
	private static final class Section {

		private final String title;

		private final SectionCode code;

		private final List<Resource> entries = new ArrayList<>();

		private final SectionText text = new SectionText();

		Section(String title, SectionCode code) {
			this.title = title;
			this.code = code;
		}

		void add(Resource resource, String line, Names names, PlanRecord record, boolean emphasised) {
			this.entries.add(resource);
			this.text.item(line, names.changed(resource, record.changes().get(key(resource))), emphasised);
		}

	}

	/**
	 * How people, organisations and their contact details read in the narrative, from the
	 * directory entries the record names, or the references' own display text.
	 */
	private static final class Names {

		private final PlanRecord record;

		private final Map<String, Resource> byKey = new LinkedHashMap<>();

		Names(PlanRecord record) {
			this.record = record;
			record.record().forEach((resource) -> this.byKey.put(key(resource), resource));
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
				return organisation.hasName() ? organisation.getName() : key(organisation);
			}
			if (resource instanceof HealthcareService service) {
				return service.hasName() ? service.getName() : key(service);
			}
			if (resource instanceof Medication medication) {
				return medication.hasCode() ? text(medication.getCode()) : key(medication);
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
				return parts.isEmpty() ? key(role) : String.join(", ", parts);
			}
			return key(resource);
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
				.map((point) -> (point.hasSystem()
						? point.getSystem().getDisplay().toLowerCase(java.util.Locale.UK) + " " : "") + point.getValue()
						+ (point.hasUse() ? " (" + point.getUse().toCode() + ")" : ""))
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

}
