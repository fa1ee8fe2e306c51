package org.openepaccs.population;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CarePlan.CarePlanActivityDetailComponent;
import org.hl7.fhir.r4.model.CarePlan.CarePlanActivityStatus;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem;
import org.hl7.fhir.r4.model.ContactPoint.ContactPointUse;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Enumerations.DocumentReferenceStatus;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.HumanName.NameUse;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.population.SyntheticPopulation.Person;
import org.openepaccs.common.NhsNumber;

import static org.openepaccs.common.Systems.ODS;
import static org.openepaccs.common.Systems.SNOMED;

/**
 * The synthetic population's FHIR resources, one builder per kind, built with HAPI's R4
 * model so that each element is named as FHIR names it. A builder reads what a
 * {@link Person} drew and decides nothing itself; which resources a record holds is
 * {@link SyntheticPopulation}'s to say.
 */
final class SyntheticResources {

	private static final String PROFILES = ConformancePackage.CANONICAL_BASE + "/StructureDefinition/";

	private static final String CODE_SYSTEMS = ConformancePackage.CANONICAL_BASE + "/CodeSystem/";

	private static final String ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";

	private static final String CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope";

	private static final String CONSENT_CATEGORY = "http://terminology.hl7.org/CodeSystem/consentcategorycodes";

	private static final Code PALLIATIVE_CARE = Code.snomed("103735009", "Palliative care");

	private static final Code END_OF_LIFE_CARE_PLAN = Code.snomed("736373009", "End of life care plan");

	private static final Code CYPACP_WITH_RESPECT = Code.project("epaccs-plan-type", "cypacp-with-respect",
			"Child and young person's advance care plan (with ReSPECT)");

	private static final Code ACP_PCSP = Code.project("epaccs-plan-type", "acp-pcsp",
			"Advance care plan / personalised care and support plan");

	private static final Code RESPECT_PLAN = Code.snomed("1107891000000106",
			"Has Recommended Summary Plan for Emergency Care and Treatment");

	private static final Code KEY_WORKER = Code.project("epaccs-care-team-role", "key-worker", "Key worker");

	private static final Code RESPONSIBLE_GP = Code.project("epaccs-care-team-role", "responsible-gp",
			"Responsible GP");

	private static final Code ADVICE_LINE = Code.project("epaccs-care-team-role", "24-7-contact", "24/7 contact");

	private static final Code PERSONAL_CONTACT = Code.project("epaccs-care-team-role", "personal-contact",
			"Personal contact");

	private static final Code MOTHER = Code.role("MTH", "mother");

	private static final Code FAMILY_MEMBER = Code.role("FAMMEMB", "family member");

	private static final Code CARER = Code.project("epaccs-relationship", "carer", "Carer");

	private static final Code PARENTAL_RESPONSIBILITY = Code.project("epaccs-relationship", "parental-responsibility",
			"Has parental responsibility");

	private static final Code NEXT_OF_KIN = new Code("http://terminology.hl7.org/CodeSystem/v2-0131", "N",
			"Next-of-Kin");

	private static final Code ATTORNEY = Code.role("HPOWATT", "healthcare power of attorney");

	private static final Code CLINICAL_FLAG = new Code("http://terminology.hl7.org/CodeSystem/flag-category",
			"clinical", "Clinical");

	private static final Code AKPS_SCORE = Code.snomed("901671000000100",
			"Australia-modified Karnofsky Performance Status scale score");

	private static final Code JUST_IN_CASE_BOX = Code.snomed("376201000000102",
			"Issue of palliative care anticipatory medication box");

	private static final Code PRIVACY_CONSENT = new Code(CONSENT_SCOPE, "patient-privacy", "Privacy Consent");

	private static final Code INFORMATION_DISCLOSURE = new Code("http://terminology.hl7.org/CodeSystem/v3-ActCode",
			"IDSCL", "information disclosure");

	private static final Code ADVANCE_CARE_DIRECTIVE = new Code(CONSENT_SCOPE, "adr", "Advanced Care Directive");

	private static final Code ADVANCE_DIRECTIVE = new Code(CONSENT_CATEGORY, "acd", "Advance Directive");

	private static final Code HAS_ADRT = Code.snomed("816321000000109",
			"Has advance decision to refuse life sustaining treatment (Mental Capacity Act 2005)");

	private static final Code HAS_LPA = Code.snomed("816361000000101",
			"Has appointed person with personal welfare lasting power of attorney (Mental Capacity Act 2005)");

	/**
	 * NRL's ReSPECT form type and care plan category, without displays: no source
	 * confirms them.
	 */
	private static final Code RESPECT_FORM = Code.snomed("1382601000000107", null);

	private static final Code CARE_PLAN_DOCUMENT = Code.snomed("734163000", null);

	private static final Code HEALTHCARE_PROVIDER = new Code("http://terminology.hl7.org/CodeSystem/organization-type",
			"prov", "Healthcare Provider");

	/**
	 * The Mental Capacity Act 2005, under which ADRTs and LPAs are made, and its
	 * publisher.
	 */
	private static final String ACT = "https://www.legislation.gov.uk/ukpga/2005/9/contents";

	private static final String ACT_AUTHORITY = "https://www.legislation.gov.uk";

	private static final String SHARING_POLICY = ConformancePackage.CANONICAL_BASE + "/policy/record-sharing";

	private static final DateTimeFormatter LONG_DATE = DateTimeFormatter.ofPattern("d MMMM uuuu", Locale.UK);

	private SyntheticResources() {
	}

	/**
	 * A coding with its system, code and display (none where no source gives one), as the
	 * population's tables list them.
	 */
	record Code(String system, String code, String display) {

		static Code snomed(String code, String display) {
			return new Code(SNOMED, code, display);
		}

		/** A relationship, as HL7 v3 names it. */
		static Code role(String code, String display) {
			return new Code(ROLE_CODE, code, display);
		}

		/** A code of one of our conformance package's code systems. */
		static Code project(String codeSystem, String code, String display) {
			return new Code(CODE_SYSTEMS + codeSystem, code, display);
		}

		Coding coding() {
			return new Coding(this.system, this.code, this.display);
		}

		/** The code alone, without text. */
		CodeableConcept concept() {
			return new CodeableConcept(coding());
		}

		/** The code, with its display as its text. */
		CodeableConcept conceptWithText() {
			return conceptWithText(this.display);
		}

		CodeableConcept conceptWithText(String text) {
			return concept().setText(text);
		}

	}

	// the directory

	static Organization organisation(String id, String ods, String name, String phone) {
		Organization organisation = new Organization();
		organisation.setId(id);
		organisation.addIdentifier(new Identifier().setSystem(ODS).setValue(ods));
		organisation.setActive(true);
		organisation.addType(HEALTHCARE_PROVIDER.concept());
		organisation.setName(name);
		organisation.addTelecom(phone(phone, ContactPointUse.WORK));
		return organisation;
	}

	/** A practitioner, with a prefix (such as Dr) or none. */
	static Practitioner practitioner(String id, String prefix, String given, String family) {
		Practitioner practitioner = new Practitioner();
		practitioner.setId(id);
		practitioner.setActive(true);
		HumanName name = practitioner.addName().setUse(NameUse.OFFICIAL).setFamily(family).addGiven(given);
		if (prefix != null) {
			name.addPrefix(prefix);
		}
		return practitioner;
	}

	static PractitionerRole practitionerRole(String id, String practitioner, String organisation, String title,
			String phone) {
		PractitionerRole role = new PractitionerRole();
		role.setId(id);
		role.setActive(true);
		role.setPractitioner(reference("Practitioner", practitioner));
		role.setOrganization(reference("Organization", organisation));
		role.addCode(new CodeableConcept().setText(title));
		role.addTelecom(phone(phone, ContactPointUse.WORK));
		return role;
	}

	// a person's record

	/** The person, with the date and time of their death or, while they live, none. */
	static Patient patient(Person p, String deceased) {
		Patient patient = profiled(new Patient(), p.id, "epaccs-patient");
		patient.addExtension(EthnicCategory.EXTENSION,
				new Code(EthnicCategory.SYSTEM, p.ethnicity.code(), p.ethnicity.display()).concept());
		patient.addExtension(PROFILES + "epaccs-deprivation-decile", new IntegerType(p.deprivationDecile));
		patient.addIdentifier(new Identifier().setSystem(NhsNumber.SYSTEM).setValue(p.nhs));
		patient.addName().setUse(NameUse.OFFICIAL).setFamily(p.family).addGiven(p.given);
		patient.setGender(p.female ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
		patient.setBirthDateElement(new DateType(p.birthDate));
		if (deceased != null) {
			patient.setDeceased(new DateTimeType(deceased));
		}
		patient.addGeneralPractitioner(reference("Organization", p.practice));
		return patient;
	}

	static EpisodeOfCare registerEntry(Person p) {
		EpisodeOfCare entry = profiled(new EpisodeOfCare(), p.id + "-register", "epaccs-register-entry");
		entry.addExtension(PROFILES + "epaccs-register-identification", p.identifiedBy.conceptWithText());
		entry.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
		entry.addType(PALLIATIVE_CARE.conceptWithText());
		entry.setPatient(reference("Patient", p.id));
		entry.setManagingOrganization(reference("Organization", p.practice));
		entry.setPeriod(new Period().setStartElement(new DateTimeType(p.added)));
		entry.setCareManager(reference("PractitionerRole", p.nurseRole));
		entry.addTeam(reference("CareTeam", p.id + "-team"));
		if (p.diagnosis.recorded()) {
			entry.addDiagnosis().setCondition(reference("Condition", p.id + "-diagnosis")).setRank(1);
		}
		return entry;
	}

	/** The primary palliative care diagnosis the register entry names. */
	static Condition diagnosis(Person p) {
		Condition condition = profiled(new Condition(), p.id + "-diagnosis", "epaccs-palliative-diagnosis");
		condition.setClinicalStatus(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")));
		condition.setCode(new CodeableConcept(p.diagnosis.code(p.female).coding()).setText(p.diagnosis.text(p.female)));
		condition.setSubject(reference("Patient", p.id));
		condition.setRecordedDateElement(new DateTimeType(p.added));
		return condition;
	}

	/**
	 * The {@code number}th of a person's emergency admissions in their last 90 days, as
	 * an acute trust sends it: 80, 50 and 20 days before death, two days each.
	 */
	static Encounter emergencyAdmission(Person p, int number) {
		Encounter admission = profiled(new Encounter(), p.id + "-admission-" + number, "epaccs-emergency-admission");
		admission.setStatus(Encounter.EncounterStatus.FINISHED);
		admission
			.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP", "inpatient encounter"));
		admission.setPriority(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/v3-ActPriority", "EM", "emergency")));
		admission.setSubject(reference("Patient", p.id));
		LocalDate admitted = LocalDate.parse(p.died).minusDays(110 - 30L * number);
		admission.setPeriod(new Period().setStartElement(new DateTimeType(admitted + "T14:00:00Z"))
			.setEndElement(new DateTimeType(admitted.plusDays(2) + "T11:00:00Z")));
		return admission;
	}

	/**
	 * The district nurse as key worker, the GP, the ICB's advice line and the main carer.
	 */
	static CareTeam careTeam(Person p) {
		CareTeam team = profiled(new CareTeam(), p.id + "-team", "epaccs-care-team");
		team.setStatus(CareTeam.CareTeamStatus.ACTIVE);
		team.setName("Palliative care team");
		team.setSubject(reference("Patient", p.id));
		team.setPeriod(new Period().setStartElement(new DateTimeType(p.added)));
		team.addParticipant()
			.addRole(KEY_WORKER.conceptWithText())
			.setMember(reference("PractitionerRole", p.nurseRole));
		team.addParticipant()
			.addRole(RESPONSIBLE_GP.conceptWithText())
			.setMember(reference("PractitionerRole", p.gpRole));
		team.addParticipant()
			.addRole(ADVICE_LINE.conceptWithText("24/7 palliative care advice line"))
			.setMember(reference("Organization", p.spoc));
		team.addParticipant()
			.addRole(PERSONAL_CONTACT.conceptWithText("Main carer"))
			.setMember(reference("RelatedPerson", p.id + "-carer"));
		team.addManagingOrganization(reference("Organization", p.practice));
		return team;
	}

	/** The main carer: a child's mother, an adult's family member. */
	static RelatedPerson carer(Person p) {
		RelatedPerson carer = profiled(new RelatedPerson(), p.id + "-carer", "epaccs-related-person");
		carer.setActive(true);
		carer.setPatient(reference("Patient", p.id));
		carer.addRelationship((p.child ? MOTHER : FAMILY_MEMBER).concept());
		carer.addRelationship(CARER.concept());
		carer.addName().setFamily(p.family).addGiven(p.carerGiven);
		carer.addTelecom(phone(p.carerMobile, ContactPointUse.MOBILE));
		return carer;
	}

	/** The plan, with what matters most to the person as its goal. */
	static CarePlan advanceCarePlan(Person p) {
		CarePlan plan = profiled(new CarePlan(), p.id + "-acp", "epaccs-advance-care-plan");
		Goal goal = new Goal();
		goal.setId("goal");
		goal.setLifecycleStatus(Goal.GoalLifecycleStatus.ACTIVE);
		goal.setDescription(
				new CodeableConcept().setText(p.child ? "Keep going to school" : "Stay at home with family"));
		goal.setSubject(reference("Patient", p.id));
		plan.addContained(goal);
		plan.addExtension(PROFILES + "epaccs-plan-review-date", new DateType(p.review));
		plan.setStatus(CarePlan.CarePlanStatus.ACTIVE);
		plan.setIntent(CarePlan.CarePlanIntent.PLAN);
		if (p.child) {
			plan.addCategory(CYPACP_WITH_RESPECT.conceptWithText());
			plan.addCategory(END_OF_LIFE_CARE_PLAN.conceptWithText());
		}
		else {
			plan.addCategory(END_OF_LIFE_CARE_PLAN.conceptWithText());
			plan.addCategory(ACP_PCSP.conceptWithText());
		}
		plan.setTitle("Advance care plan");
		plan.setSubject(reference("Patient", p.id));
		plan.setPeriod(new Period().setStartElement(new DateTimeType(p.added)));
		plan.setCreatedElement(new DateTimeType(p.added));
		plan.setAuthor(reference("PractitionerRole", p.gpRole));
		plan.addCareTeam(reference("CareTeam", p.id + "-team"));
		plan.addGoal(new Reference("#goal"));
		return plan;
	}

	/** The CPR decision, in force from when it was made until its review. */
	static Flag cprDecision(Person p) {
		Flag flag = profiled(new Flag(), p.id + "-cpr", "epaccs-cpr-decision-flag");
		flag.setStatus(Flag.FlagStatus.ACTIVE);
		flag.addCategory(CLINICAL_FLAG.concept());
		flag.setCode(p.cpr.conceptWithText(p.notForCpr() ? "Not for CPR" : "For CPR"));
		flag.setSubject(reference("Patient", p.id));
		flag.setPeriod(
				new Period().setStartElement(new DateTimeType(p.added)).setEndElement(new DateTimeType(p.review)));
		flag.setAuthor(reference("PractitionerRole", p.gpRole));
		return flag;
	}

	/** A preferred place of death or of care, first or second choice. */
	static Observation preferredPlace(Person p, String suffix, int rank, Code place) {
		Observation preference = observation(p, suffix, "epaccs-preferred-place", place.conceptWithText(), p.added,
				p.gpRole);
		preference.addExtension(PROFILES + "epaccs-preference-rank", new PositiveIntType(rank));
		return preference;
	}

	static Observation prognosis(Person p) {
		return observation(p, "prognosis", "epaccs-prognosis", p.prognosis.conceptWithText(), p.added, p.gpRole);
	}

	/** Who knows the prognosis: its focus is the prognosis Observation. */
	static Observation prognosisAwareness(Person p) {
		Observation awareness = observation(p, "prognosis-awareness", "epaccs-prognosis-awareness",
				p.awareness.conceptWithText(), p.added, p.gpRole);
		awareness.addFocus(reference("Observation", p.id + "-prognosis"));
		return awareness;
	}

	/** The AKPS score, as the district nurse assessed it. */
	static Observation functionalStatus(Person p) {
		Observation akps = observation(p, "akps", "epaccs-functional-status", AKPS_SCORE.conceptWithText("AKPS score"),
				p.added, p.nurseRole);
		akps.setValue(new IntegerType(p.akps));
		return akps;
	}

	/**
	 * The decision to share the record beyond the practice, or to refuse; its custodians
	 * are the practice and the GP system that loads the population.
	 */
	static Consent consentToShare(Person p) {
		Consent consent = profiled(new Consent(), p.id + "-share", "epaccs-consent-to-share");
		consent.setStatus(Consent.ConsentState.ACTIVE);
		consent.setScope(PRIVACY_CONSENT.concept());
		consent.addCategory(INFORMATION_DISCLOSURE.concept());
		consent.setPatient(reference("Patient", p.id));
		consent.setDateTimeElement(new DateTimeType(p.added + "T10:00:00Z"));
		consent.addPerformer(reference("Patient", p.id));
		consent.addOrganization(reference("Organization", p.practice));
		consent.addOrganization(new Reference()
			.setIdentifier(new Identifier().setSystem(ODS).setValue(SyntheticPopulation.LOADER_ODS)));
		consent.addPolicy().setUri(SHARING_POLICY);
		consent.getProvision().setType(p.refusesSharing ? ConsentProvisionType.DENY : ConsentProvisionType.PERMIT);
		return consent;
	}

	/** The just-in-case box, and where at home it is kept. */
	static Procedure anticipatoryMedicines(Person p) {
		Procedure procedure = profiled(new Procedure(), p.id + "-jic", "epaccs-anticipatory-medicines");
		procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
		procedure.setCode(JUST_IN_CASE_BOX.conceptWithText("Just-in-case box issued"));
		procedure.setSubject(reference("Patient", p.id));
		procedure.setPerformed(new DateTimeType(p.added));
		procedure.addPerformer().setActor(reference("PractitionerRole", p.nurseRole));
		procedure.setLocation(new Reference().setDisplay("Kitchen cupboard at home"));
		return procedure;
	}

	/**
	 * A child's father, with parental responsibility; an adult's next of kin, who is the
	 * attorney, from the LPA's registration, when there is an LPA.
	 */
	static RelatedPerson nextOfKin(Person p) {
		RelatedPerson kin = profiled(new RelatedPerson(), p.kinId, "epaccs-related-person");
		kin.setActive(true);
		kin.setPatient(reference("Patient", p.id));
		kin.addRelationship(p.kin.concept());
		kin.addRelationship((p.child ? PARENTAL_RESPONSIBILITY : NEXT_OF_KIN).concept());
		if (p.lpa) {
			kin.addRelationship(ATTORNEY.concept());
		}
		kin.addName().setFamily(p.family).addGiven(p.kinGiven);
		kin.addTelecom(phone(p.kinMobile, ContactPointUse.MOBILE));
		if (p.lpa) {
			kin.setPeriod(new Period().setStartElement(new DateTimeType(p.lpaRegistered)));
		}
		return kin;
	}

	/**
	 * The ReSPECT plan: its CPR recommendation is the person's CPR decision, and the
	 * priorities lean to comfort for those not for CPR.
	 */
	static CarePlan respectPlan(Person p) {
		boolean notForCpr = p.notForCpr();
		CarePlan plan = profiled(new CarePlan(), p.id + "-respect", "epaccs-advance-care-plan");
		plan.addExtension(PROFILES + "epaccs-plan-review-date", new DateType(p.review));
		Extension priorities = plan.addExtension().setUrl(PROFILES + "epaccs-respect-priority-scale");
		priorities.addExtension("scale", new IntegerType(p.respectPriority));
		priorities.addExtension("statement",
				new StringType(notForCpr ? "I want to be comfortable, and to stay at home if I can."
						: "I want treatment that could help me live longer, in hospital if need be."));
		plan.setStatus(CarePlan.CarePlanStatus.ACTIVE);
		plan.setIntent(CarePlan.CarePlanIntent.PLAN);
		plan.addCategory(RESPECT_PLAN.conceptWithText("ReSPECT"));
		plan.setTitle("ReSPECT: Recommended Summary Plan for Emergency Care and Treatment");
		plan.setSubject(reference("Patient", p.id));
		plan.setPeriod(new Period().setStartElement(new DateTimeType(p.added)));
		plan.setCreatedElement(new DateTimeType(p.added));
		plan.setAuthor(reference("PractitionerRole", p.gpRole));
		plan.addContributor(reference("Patient", p.id));
		plan.addContributor(reference("RelatedPerson", p.id + "-carer"));
		if (notForCpr) {
			plan.addActivity()
				.setDetail(recommendation("Cardiopulmonary resuscitation", CarePlanActivityStatus.NOTSTARTED,
						"CPR is not recommended (not for CPR).")
					.setDoNotPerform(true));
			plan.addActivity()
				.setDetail(recommendation("Symptom control and comfort care at home", CarePlanActivityStatus.INPROGRESS,
						"Treat reversible causes at home where possible; hospital admission only if symptoms cannot be "
								+ "controlled at home."));
		}
		else {
			plan.addActivity()
				.setDetail(recommendation("Cardiopulmonary resuscitation", CarePlanActivityStatus.NOTSTARTED,
						"CPR is recommended (for CPR).")
					.setDoNotPerform(false));
			plan.addActivity()
				.setDetail(recommendation("Treatment of reversible causes", CarePlanActivityStatus.NOTSTARTED,
						"Treat reversible causes, with hospital admission if needed."));
		}
		plan.addSupportingInfo(reference("Flag", p.id + "-cpr"));
		plan.addSupportingInfo(reference("DocumentReference", p.id + "-respect-form"));
		return plan;
	}

	/** The signed ReSPECT form, scanned; the original stays at home with the person. */
	static DocumentReference respectForm(Person p) {
		DocumentReference form = profiled(new DocumentReference(), p.id + "-respect-form", "epaccs-document");
		form.setStatus(DocumentReferenceStatus.CURRENT);
		form.setDocStatus(DocumentReference.ReferredDocumentStatus.FINAL);
		form.setType(RESPECT_FORM.conceptWithText("ReSPECT form"));
		form.addCategory(CARE_PLAN_DOCUMENT.conceptWithText("Care plan"));
		form.setSubject(reference("Patient", p.id));
		form.setDateElement(new InstantType(p.added + "T11:00:00Z"));
		form.addAuthor(reference("PractitionerRole", p.gpRole));
		form.setAuthenticator(reference("PractitionerRole", p.gpRole));
		form.setCustodian(reference("Organization", p.practice));
		form.setDescription("Signed original kept at home with the patient");
		form.addContent()
			.setAttachment(scan("ReSPECT form, signed " + longDate(p.added) + " (scanned copy)",
					"Scanned copy of the signed ReSPECT form")
				.setCreationElement(new DateTimeType(p.added)));
		form.getContext().addRelated(reference("CarePlan", p.id + "-respect"));
		return form;
	}

	/** The ADRT, refusing one life-sustaining treatment, with its signed document. */
	static Consent adrt(Person p) {
		Consent adrt = profiled(new Consent(), p.id + "-adrt", "epaccs-adrt");
		adrt.setStatus(Consent.ConsentState.ACTIVE);
		adrt.setScope(ADVANCE_CARE_DIRECTIVE.concept());
		adrt.addCategory(ADVANCE_DIRECTIVE.concept());
		adrt.addCategory(HAS_ADRT.concept());
		adrt.setPatient(reference("Patient", p.id));
		adrt.setDateTimeElement(new DateTimeType(p.adrtMade));
		adrt.addPerformer(reference("Patient", p.id));
		adrt.addPolicy().setAuthority(ACT_AUTHORITY).setUri(ACT);
		adrt.setSource(scan("Advance decision to refuse treatment (signed and witnessed), " + longDate(p.adrtMade),
				"Advance decision to refuse treatment, signed and witnessed"));
		adrt.getProvision().setType(ConsentProvisionType.DENY).addCode(new CodeableConcept().setText(p.adrtRefusal));
		return adrt;
	}

	/**
	 * The LPA for health and welfare, naming the next of kin as attorney and saying
	 * explicitly whether it covers life-sustaining treatment.
	 */
	static Consent lpa(Person p) {
		Consent lpa = profiled(new Consent(), p.id + "-lpa", "epaccs-lpa-consent");
		lpa.addExtension(PROFILES + "epaccs-lpa-covers-life-sustaining-treatment",
				new BooleanType(p.lpaCoversLifeSustainingTreatment));
		lpa.setStatus(Consent.ConsentState.ACTIVE);
		lpa.setScope(ADVANCE_CARE_DIRECTIVE.concept());
		lpa.addCategory(ADVANCE_DIRECTIVE.concept());
		lpa.addCategory(HAS_LPA.concept());
		lpa.setPatient(reference("Patient", p.id));
		lpa.setDateTimeElement(new DateTimeType(p.lpaRegistered));
		lpa.addPerformer(reference("Patient", p.id));
		lpa.addPolicy().setAuthority(ACT_AUTHORITY).setUri(ACT);
		Consent.ProvisionComponent provision = lpa.getProvision();
		provision.setType(ConsentProvisionType.PERMIT);
		provision.setPeriod(new Period().setStartElement(new DateTimeType(p.lpaRegistered)));
		provision.addActor()
			.setRole(ATTORNEY.concept())
			.setReference(reference("RelatedPerson", p.kinId).setDisplay(p.kinGiven + " " + p.family));
		provision.addCode(new CodeableConcept().setText(p.lpaCoversLifeSustainingTreatment
				? "Health and welfare decisions, including giving or refusing consent to life-sustaining treatment"
				: "Health and welfare decisions, not including life-sustaining treatment"));
		return lpa;
	}

	/** Where the person died, as the GP records it with the death. */
	static Observation placeOfDeath(Person p, String died) {
		return observation(p, "death", "epaccs-actual-place-of-death", p.placeOfDeath.conceptWithText(), died,
				p.gpRole);
	}

	private static <R extends Resource> R profiled(R resource, String id, String profile) {
		resource.setId(id);
		resource.getMeta().addProfile(PROFILES + profile);
		return resource;
	}

	private static Observation observation(Person p, String suffix, String profile, CodeableConcept code,
			String effective, String performer) {
		Observation observation = profiled(new Observation(), p.id + "-" + suffix, profile);
		observation.setStatus(ObservationStatus.FINAL);
		observation.setCode(code);
		observation.setSubject(reference("Patient", p.id));
		observation.setEffective(new DateTimeType(effective));
		observation.addPerformer(reference("PractitionerRole", performer));
		return observation;
	}

	private static CarePlanActivityDetailComponent recommendation(String treatment, CarePlanActivityStatus status,
			String description) {
		return new CarePlanActivityDetailComponent().setCode(new CodeableConcept().setText(treatment))
			.setStatus(status)
			.setDescription(description);
	}

	/** A scanned document's stand-in: text saying that it is one. */
	private static Attachment scan(String title, String document) {
		return new Attachment().setContentType("text/plain")
			.setLanguage("en-GB")
			.setTitle(title)
			.setData((document + " (synthetic placeholder)").getBytes(StandardCharsets.UTF_8));
	}

	private static String longDate(String isoDate) {
		return LocalDate.parse(isoDate).format(LONG_DATE);
	}

	private static Reference reference(String type, String id) {
		return new Reference(type + "/" + id);
	}

	private static ContactPoint phone(String number, ContactPointUse use) {
		return new ContactPoint().setSystem(ContactPointSystem.PHONE).setValue(number).setUse(use);
	}

}
