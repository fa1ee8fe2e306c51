package org.openepaccs.population;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.openepaccs.records.NhsNumber;

/**
 * A deterministic synthetic population: the same seed and size give the same people, byte
 * for byte. Each person's record is one FHIR transaction of PUTs with ids derived from
 * the person's number, so sending it again changes nothing and a load can resume
 * anywhere. About 5% are children and young people; about a third die during the
 * simulated year (sent as a second transaction, as a GP would record it). Everyone has an
 * ethnic category and a deprivation decile, drawn independently of everything else, so
 * that inequality breakdowns have something to break down (and show no gradient unless
 * the server makes one). NHS numbers come from the 999 range the NHS reserves for
 * testing, so none can belong to a real person. Every code comes from our conformance
 * package's value sets, except the ethnic category, from UK Core's.
 */
public final class SyntheticPopulation {

	/**
	 * The organisation of the demo GP system that loads the population: each person's
	 * sharing decision names it as a custodian beside their practice, because only a
	 * custodian may go on writing a person's record after they refuse to share (the
	 * year's deaths, and a load resumed after a stop).
	 */
	static final String LOADER_ODS = "Y99901";

	/** People per GP practice; practices per ICB. */
	static final int PEOPLE_PER_PRACTICE = 200;

	static final int PRACTICES_PER_ICB = 20;

	/** Five entries each: 500 entries per transaction. */
	static final int PRACTICES_PER_DIRECTORY_TRANSACTION = 100;

	static final int MOST_PEOPLE = 450_000;

	/**
	 * Stems below this are left to the examples and tests (Margaret is 999 000 0018), so
	 * that a server holding both never has two people with one NHS number.
	 */
	static final int FIRST_STEM = 100_000;

	private static final LocalDate YEAR_START = LocalDate.of(2026, 1, 1);

	private static final String[] FAMILY = { "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
			"Davies", "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
			"Khan", "Lewis", "Harris", "Clarke", "Ali", "Begum", "Okafor", "Nowak", "Murphy", "Hughes" };

	private static final String[] GIVEN_FEMALE = { "Margaret", "Patricia", "Susan", "Jean", "Mary", "Aisha", "Grace",
			"Fatima", "Olivia", "Amelia", "Joan", "Sarah", "Priya", "Eileen" };

	private static final String[] GIVEN_MALE = { "John", "David", "Michael", "Peter", "Robert", "Mohammed", "James",
			"Oliver", "Arthur", "George", "Kwame", "Tomasz", "Brian", "Raj" };

	/** Preferred place of death (SNOMED) and the place of death that achieves it. */
	private static final String[][] PLACES = {
			{ "110481000000108", "Preferred place of death: home", "876879006", "Died at home" },
			{ "108401000000102", "Preferred place of death: hospice", "876882001", "Died in hospice" },
			{ "710571000000101", "Preferred place of death: care home", "876884000", "Died in nursing home" },
			{ "109401000000108", "Preferred place of death: hospital", "183676005", "Died in hospital" },
			{ "819211000000102", "Preferred place of death: usual place of residence", "876879006", "Died at home" } };

	private static final String[][] CARE_PLACES = { { "home", "Preferred place of care: home" },
			{ "hospice", "Preferred place of care: hospice" }, { "care-home", "Preferred place of care: care home" } };

	private static final String[][] PROGNOSES = { { "511401000000102", "Last days of life" },
			{ "955231000000109", "Last weeks of life" }, { "968211000000101", "Last months of life" },
			{ "767503006", "Limited life expectancy of approximately one year" } };

	/** Awareness of prognosis findings (SNOMED), in the order the draw picks them. */
	private static final String[][] AWARENESS = { { "444332001", "Aware of prognosis" },
			{ "699093007", "Unaware of prognosis" }, { "764551000000100", "Does not wish to discuss prognosis" },
			{ "473316003", "Relative aware of prognosis" } };

	/** An adult's next of kin (HL7 v3 RoleCode). */
	private static final String[][] KIN = { { "SPS", "spouse" }, { "DAUC", "daughter" }, { "SONC", "son" } };

	private static final String NOT_FOR_CPR = "450476008";

	private static final String FOR_CPR = "450475007";

	/**
	 * Treatments refused in an ADRT: life-sustaining ones, as its SNOMED finding says.
	 */
	private static final String[] REFUSALS = {
			"Mechanical ventilation (invasive or non-invasive), even if my life is at risk",
			"Artificial nutrition and hydration by tube, even if my life is at risk",
			"Antibiotics for a life-threatening infection, even if my life is at risk" };

	private static final String RESPECT_FORM_COPY = placeholder("Scanned copy of the signed ReSPECT form");

	private static final String ADRT_COPY = placeholder("Advance decision to refuse treatment, signed and witnessed");

	private static final DateTimeFormatter LONG_DATE = DateTimeFormatter.ofPattern("d MMMM uuuu", Locale.UK);

	private static final String[] IDENTIFIED_BY = { "surprise-question", "Surprise question", "spict", "SPICT",
			"gsf-proactive-identification", "GSF Proactive Identification Guidance", "clinical-judgement",
			"Clinical judgement" };

	private final long seed;

	private final int first;

	private final int people;

	public SyntheticPopulation(long seed, int people) {
		this(seed, 0, people);
	}

	/**
	 * People numbered {@code first} to {@code first + people - 1}: populations with
	 * ranges that do not overlap share no person, NHS number or practice.
	 */
	public SyntheticPopulation(long seed, int first, int people) {
		if (first < 0 || people < 1 || (long) first + people > MOST_PEOPLE) {
			throw new IllegalArgumentException("people are numbered 0 to " + (MOST_PEOPLE - 1));
		}
		this.seed = seed;
		this.first = first;
		this.people = people;
	}

	public int people() {
		return this.people;
	}

	/** Names the population, so that a progress file is only used for the same one. */
	@Override
	public String toString() {
		return "seed-" + this.seed + "-people-" + this.first + "-" + (this.first + this.people - 1);
	}

	int practices() {
		return lastPractice() - firstPractice() + 1;
	}

	public int firstPractice() {
		return this.first / PEOPLE_PER_PRACTICE;
	}

	public int lastPractice() {
		return (this.first + this.people - 1) / PEOPLE_PER_PRACTICE;
	}

	/** The id of the i-th person's Patient (counting from this population's first). */
	public String patientIdOf(int i) {
		return patientId(this.first + i);
	}

	public String nhsNumberOf(int i) {
		return nhsNumber(this.first + i);
	}

	/**
	 * The NHS number of person {@code index}: 999, then a stem of six digits, then the
	 * check digit. Person i takes stem 100,000 + 2i, or the one after when that has no
	 * valid check digit; the two cannot both lack one (the last digit's weight is 2), so
	 * every person gets a distinct number, for up to 450,000 people.
	 */
	public static String nhsNumber(int index) {
		if (index < 0 || index >= MOST_PEOPLE) {
			throw new IllegalArgumentException("person numbers run from 0 to " + (MOST_PEOPLE - 1));
		}
		for (int stem = FIRST_STEM + 2 * index;; stem++) {
			String nine = String.format(Locale.ROOT, "999%06d", stem);
			int check = NhsNumber.checkDigit(nine);
			if (check < 10) {
				return nine + check;
			}
		}
	}

	/**
	 * The organisations, practitioners and roles every record refers to, as transactions
	 * to send in order: ICBs, their 24/7 advice lines and hospices, then the practices
	 * with a GP and a community nurse each, {@link #PRACTICES_PER_DIRECTORY_TRANSACTION}
	 * at a time (a server takes at most 1,000 entries in one transaction by default;
	 * 100,000 people have 500 practices, 2,575 entries in all).
	 */
	public List<String> directory() {
		List<String> transactions = new ArrayList<>();
		StringBuilder entries = new StringBuilder();
		for (int icb = firstPractice() / PRACTICES_PER_ICB; icb <= lastPractice() / PRACTICES_PER_ICB; icb++) {
			entries.append(put("Organization", "syn-icb-" + icb,
					organisation("syn-icb-" + icb, ods("Y8", icb), "Synthetic ICB " + (icb + 1), landline(icb))));
			entries.append(put("Organization", "syn-spoc-" + icb, organisation("syn-spoc-" + icb, ods("Y7", icb),
					"Synthetic 24/7 Palliative Care Advice Line " + (icb + 1), landline(icb))));
			entries.append(put("Organization", "syn-hospice-" + icb, organisation("syn-hospice-" + icb, ods("Y6", icb),
					"Synthetic Hospice " + (icb + 1), landline(icb))));
		}
		transactions.add(transaction(entries));
		entries.setLength(0);
		for (int practice = firstPractice(); practice <= lastPractice(); practice++) {
			if (practice > firstPractice() && (practice - firstPractice()) % PRACTICES_PER_DIRECTORY_TRANSACTION == 0) {
				transactions.add(transaction(entries));
				entries.setLength(0);
			}
			String id = "syn-practice-" + practice;
			entries.append(put("Organization", id,
					organisation(id, ods("Y9", practice), "Synthetic Surgery " + (practice + 1), landline(practice))));
			entries.append(put("Practitioner", "syn-gp-" + practice, practitioner("syn-gp-" + practice, "Dr",
					GIVEN_FEMALE[practice % GIVEN_FEMALE.length], FAMILY[practice % FAMILY.length])));
			entries.append(put("PractitionerRole", "syn-gp-role-" + practice,
					role("syn-gp-role-" + practice, "syn-gp-" + practice, id, "General practitioner")));
			entries.append(put("Practitioner", "syn-nurse-" + practice, practitioner("syn-nurse-" + practice, "",
					GIVEN_MALE[practice % GIVEN_MALE.length], FAMILY[(practice + 7) % FAMILY.length])));
			entries.append(put("PractitionerRole", "syn-nurse-role-" + practice,
					role("syn-nurse-role-" + practice, "syn-nurse-" + practice, id, "District nurse")));
		}
		transactions.add(transaction(entries));
		return transactions;
	}

	/** The id of person {@code index}'s Patient. */
	public static String patientId(int index) {
		return "syn-" + index;
	}

	/** Person {@code index}'s record while alive, as one transaction. */
	public String record(int index) {
		Person p = person(index);
		StringBuilder entries = new StringBuilder();
		entries.append(put("Patient", p.id, patient(p, null)));
		entries.append(put("EpisodeOfCare", p.id + "-register",
				"""
						{"resourceType":"EpisodeOfCare","id":"%1$s-register","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-register-entry"]},
						"extension":[{"url":"https://fhir.openepaccs.org/StructureDefinition/epaccs-register-identification","valueCodeableConcept":{"coding":[{"system":"https://fhir.openepaccs.org/CodeSystem/epaccs-register-identification","code":"%2$s","display":"%3$s"}],"text":"%3$s"}}],
						"status":"active","type":[{"coding":[{"system":"http://snomed.info/sct","code":"103735009","display":"Palliative care"}],"text":"Palliative care"}],
						"patient":{"reference":"Patient/%1$s"},"managingOrganization":{"reference":"Organization/%4$s"},"period":{"start":"%5$s"},
						"careManager":{"reference":"PractitionerRole/%6$s"},"team":[{"reference":"CareTeam/%1$s-team"}]}"""
					.formatted(p.id, p.identifiedBy, p.identifiedByText, p.practice, p.added, p.nurseRole)));
		entries.append(put("CareTeam", p.id + "-team",
				"""
						{"resourceType":"CareTeam","id":"%1$s-team","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-care-team"]},"status":"active","name":"Palliative care team","subject":{"reference":"Patient/%1$s"},"period":{"start":"%2$s"},
						"participant":[{"role":[{"coding":[{"system":"https://fhir.openepaccs.org/CodeSystem/epaccs-care-team-role","code":"key-worker","display":"Key worker"}],"text":"Key worker"}],"member":{"reference":"PractitionerRole/%3$s"}},
						{"role":[{"coding":[{"system":"https://fhir.openepaccs.org/CodeSystem/epaccs-care-team-role","code":"responsible-gp","display":"Responsible GP"}],"text":"Responsible GP"}],"member":{"reference":"PractitionerRole/%4$s"}},
						{"role":[{"coding":[{"system":"https://fhir.openepaccs.org/CodeSystem/epaccs-care-team-role","code":"24-7-contact","display":"24/7 contact"}],"text":"24/7 palliative care advice line"}],"member":{"reference":"Organization/%5$s"}},
						{"role":[{"coding":[{"system":"https://fhir.openepaccs.org/CodeSystem/epaccs-care-team-role","code":"personal-contact","display":"Personal contact"}],"text":"Main carer"}],"member":{"reference":"RelatedPerson/%1$s-carer"}}],
						"managingOrganization":[{"reference":"Organization/%6$s"}]}"""
					.formatted(p.id, p.added, p.nurseRole, p.gpRole, p.spoc, p.practice)));
		entries.append(put("RelatedPerson", p.id + "-carer",
				"""
						{"resourceType":"RelatedPerson","id":"%1$s-carer","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-related-person"]},"active":true,"patient":{"reference":"Patient/%1$s"},
						"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"%2$s","display":"%3$s"}]},{"coding":[{"system":"https://fhir.openepaccs.org/CodeSystem/epaccs-relationship","code":"carer","display":"Carer"}]}],
						"name":[{"family":"%4$s","given":["%5$s"]}],"telecom":[{"system":"phone","value":"%6$s","use":"mobile"}]}"""
					.formatted(p.id, p.child ? "MTH" : "FAMMEMB", p.child ? "mother" : "family member", p.family,
							GIVEN_FEMALE[(index + 3) % GIVEN_FEMALE.length], mobile(index))));
		String category = p.child
				? """
						[{"coding":[{"system":"https://fhir.openepaccs.org/CodeSystem/epaccs-plan-type","code":"cypacp-with-respect","display":"Child and young person's advance care plan (with ReSPECT)"}],"text":"Child and young person's advance care plan (with ReSPECT)"},{"coding":[{"system":"http://snomed.info/sct","code":"736373009","display":"End of life care plan"}],"text":"End of life care plan"}]"""
				: """
						[{"coding":[{"system":"http://snomed.info/sct","code":"736373009","display":"End of life care plan"}],"text":"End of life care plan"},{"coding":[{"system":"https://fhir.openepaccs.org/CodeSystem/epaccs-plan-type","code":"acp-pcsp","display":"Advance care plan / personalised care and support plan"}],"text":"Advance care plan / personalised care and support plan"}]""";
		entries.append(put("CarePlan", p.id + "-acp",
				"""
						{"resourceType":"CarePlan","id":"%1$s-acp","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-advance-care-plan"]},
						"contained":[{"resourceType":"Goal","id":"goal","lifecycleStatus":"active","description":{"text":"%2$s"},"subject":{"reference":"Patient/%1$s"}}],
						"extension":[{"url":"https://fhir.openepaccs.org/StructureDefinition/epaccs-plan-review-date","valueDate":"%3$s"}],
						"status":"active","intent":"plan","category":%4$s,"title":"Advance care plan","subject":{"reference":"Patient/%1$s"},"period":{"start":"%5$s"},"created":"%5$s",
						"author":{"reference":"PractitionerRole/%6$s"},"careTeam":[{"reference":"CareTeam/%1$s-team"}],"goal":[{"reference":"#goal"}]}"""
					.formatted(p.id, p.child ? "Keep going to school" : "Stay at home with family", p.review,
							category.strip(), p.added, p.gpRole)));
		if (p.cpr != null) {
			entries.append(put("Flag", p.id + "-cpr",
					"""
							{"resourceType":"Flag","id":"%1$s-cpr","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-cpr-decision-flag"]},"status":"active",
							"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/flag-category","code":"clinical","display":"Clinical"}]}],
							"code":{"coding":[{"system":"http://snomed.info/sct","code":"%2$s","display":"%3$s"}],"text":"%4$s"},"subject":{"reference":"Patient/%1$s"},
							"period":{"start":"%5$s","end":"%6$s"},"author":{"reference":"PractitionerRole/%7$s"}}"""
						.formatted(p.id, p.cpr,
								NOT_FOR_CPR.equals(p.cpr) ? "Not for cardiopulmonary resuscitation"
										: "For cardiopulmonary resuscitation",
								NOT_FOR_CPR.equals(p.cpr) ? "Not for CPR" : "For CPR", p.added, p.review, p.gpRole)));
		}
		entries.append(put("Observation", p.id + "-ppd-1",
				preference(p, "ppd-1", 1, "http://snomed.info/sct", PLACES[p.place][0], PLACES[p.place][1])));
		if (p.secondPlace >= 0) {
			entries.append(put("Observation", p.id + "-ppd-2", preference(p, "ppd-2", 2, "http://snomed.info/sct",
					PLACES[p.secondPlace][0], PLACES[p.secondPlace][1])));
		}
		entries.append(put("Observation", p.id + "-ppc-1",
				preference(p, "ppc-1", 1, "https://fhir.openepaccs.org/CodeSystem/epaccs-preferred-place-of-care",
						CARE_PLACES[p.carePlace][0], CARE_PLACES[p.carePlace][1])));
		entries.append(put("Observation", p.id + "-prognosis",
				"""
						{"resourceType":"Observation","id":"%1$s-prognosis","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-prognosis"]},"status":"final",
						"code":{"coding":[{"system":"http://snomed.info/sct","code":"%2$s","display":"%3$s"}],"text":"%3$s"},"subject":{"reference":"Patient/%1$s"},"effectiveDateTime":"%4$s","performer":[{"reference":"PractitionerRole/%5$s"}]}"""
					.formatted(p.id, PROGNOSES[p.prognosis][0], PROGNOSES[p.prognosis][1], p.added, p.gpRole)));
		entries.append(put("Observation", p.id + "-prognosis-awareness", prognosisAwareness(p)));
		if (!p.child) {
			entries.append(put("Observation", p.id + "-akps",
					"""
							{"resourceType":"Observation","id":"%1$s-akps","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-functional-status"]},"status":"final",
							"code":{"coding":[{"system":"http://snomed.info/sct","code":"901671000000100","display":"Australia-modified Karnofsky Performance Status scale score"}],"text":"AKPS score"},
							"subject":{"reference":"Patient/%1$s"},"effectiveDateTime":"%2$s","performer":[{"reference":"PractitionerRole/%3$s"}],"valueInteger":%4$d}"""
						.formatted(p.id, p.added, p.nurseRole, p.akps)));
		}
		entries.append(put("Consent", p.id + "-share",
				"""
						{"resourceType":"Consent","id":"%1$s-share","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-consent-to-share"]},"status":"active",
						"scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy","display":"Privacy Consent"}]},
						"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IDSCL","display":"information disclosure"}]}],
						"patient":{"reference":"Patient/%1$s"},"dateTime":"%2$sT10:00:00Z","performer":[{"reference":"Patient/%1$s"}],"organization":[{"reference":"Organization/%3$s"},{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"%5$s"}}],
						"policy":[{"uri":"https://fhir.openepaccs.org/policy/record-sharing"}],"provision":{"type":"%4$s"}}"""
					.formatted(p.id, p.added, p.practice, p.refusesSharing ? "deny" : "permit", LOADER_ODS)));
		if (p.anticipatoryMedicines) {
			entries.append(put("Procedure", p.id + "-jic",
					"""
							{"resourceType":"Procedure","id":"%1$s-jic","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-anticipatory-medicines"]},"status":"completed",
							"code":{"coding":[{"system":"http://snomed.info/sct","code":"376201000000102","display":"Issue of palliative care anticipatory medication box"}],"text":"Just-in-case box issued"},
							"subject":{"reference":"Patient/%1$s"},"performedDateTime":"%2$s","performer":[{"actor":{"reference":"PractitionerRole/%3$s"}}],"location":{"display":"Kitchen cupboard at home"}}"""
						.formatted(p.id, p.added, p.nurseRole)));
		}
		if (p.nextOfKin) {
			entries.append(put("RelatedPerson", p.kinId, nextOfKin(p, index)));
		}
		if (p.respect) {
			entries.append(put("CarePlan", p.id + "-respect", respect(p)));
			entries.append(put("DocumentReference", p.id + "-respect-form", respectForm(p)));
		}
		if (p.adrt) {
			entries.append(put("Consent", p.id + "-adrt", adrt(p)));
		}
		if (p.lpa) {
			entries.append(put("Consent", p.id + "-lpa", lpa(p)));
		}
		return transaction(entries);
	}

	/** Person {@code index}'s death, as the GP records it, or null if they live. */
	String death(int index) {
		Person p = person(index);
		if (p.died == null) {
			return null;
		}
		StringBuilder entries = new StringBuilder();
		entries.append(put("Patient", p.id, patient(p, p.died + "T03:00:00Z")));
		int actual = p.diesWherePreferred ? p.place : (p.place + 3) % PLACES.length;
		entries.append(put("Observation", p.id + "-death",
				"""
						{"resourceType":"Observation","id":"%1$s-death","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-actual-place-of-death"]},"status":"final",
						"code":{"coding":[{"system":"http://snomed.info/sct","code":"%2$s","display":"%3$s"}],"text":"%3$s"},"subject":{"reference":"Patient/%1$s"},
						"effectiveDateTime":"%4$sT03:00:00Z","performer":[{"reference":"PractitionerRole/%5$s"}]}"""
					.formatted(p.id, PLACES[actual][2], PLACES[actual][3], p.died, p.gpRole)));
		return transaction(entries);
	}

	List<Integer> deaths() {
		return java.util.stream.IntStream.range(0, this.people).filter((i) -> person(i).died != null).boxed().toList();
	}

	boolean isChild(int index) {
		return person(index).child;
	}

	/**
	 * Whether person {@code index} refused to share their record beyond their practice.
	 */
	public boolean refusesSharing(int index) {
		return person(index).refusesSharing;
	}

	/** The i-th person of this population. */
	private Person person(int i) {
		int index = this.first + i;
		SplittableRandom random = new SplittableRandom(this.seed * 1_000_003L + index);
		Person p = new Person();
		p.id = patientId(index);
		p.nhs = nhsNumber(index);
		p.child = random.nextInt(100) < 5;
		p.age = p.child ? random.nextInt(18) : 40 + Math.min(64, (int) Math.abs(random.nextGaussian() * 14 + 38));
		p.female = random.nextBoolean();
		p.family = FAMILY[random.nextInt(FAMILY.length)];
		p.given = p.female ? GIVEN_FEMALE[random.nextInt(GIVEN_FEMALE.length)]
				: GIVEN_MALE[random.nextInt(GIVEN_MALE.length)];
		p.birthDate = YEAR_START.minusYears(p.age).minusDays(random.nextInt(365)).toString();
		int practice = index / PEOPLE_PER_PRACTICE;
		p.practice = "syn-practice-" + practice;
		p.gpRole = "syn-gp-role-" + practice;
		p.nurseRole = "syn-nurse-role-" + practice;
		p.spoc = "syn-spoc-" + (practice / PRACTICES_PER_ICB);
		LocalDate added = YEAR_START.minusDays(random.nextInt(300));
		p.added = added.toString();
		p.review = added.plusMonths(6).toString();
		int method = random.nextInt(IDENTIFIED_BY.length / 2);
		p.identifiedBy = IDENTIFIED_BY[method * 2];
		p.identifiedByText = IDENTIFIED_BY[method * 2 + 1];
		p.cpr = (random.nextInt(100) < 80) ? ((random.nextInt(100) < 90) ? NOT_FOR_CPR : FOR_CPR) : null;
		p.place = random.nextInt(PLACES.length);
		p.secondPlace = (random.nextInt(100) < 60) ? (p.place + 1 + random.nextInt(PLACES.length - 1)) % PLACES.length
				: -1;
		p.carePlace = random.nextInt(CARE_PLACES.length);
		p.prognosis = random.nextInt(PROGNOSES.length);
		p.akps = 10 * (1 + random.nextInt(7));
		p.refusesSharing = random.nextInt(100) < 3;
		p.anticipatoryMedicines = random.nextInt(100) < 60;
		if (random.nextInt(3) == 0) {
			p.died = YEAR_START.plusDays(random.nextInt(330)).toString();
			p.diesWherePreferred = random.nextInt(100) < 70;
		}
		// drawn after everything else, so that the people of a seed stay who they were
		p.ethnicity = EthnicCategory.of(random.nextInt(1000));
		p.deprivationDecile = 1 + random.nextInt(10);
		advanceDecisions(p, random, added);
		return p;
	}

	/**
	 * Awareness of the prognosis, next of kin and the plans and decisions made in
	 * advance: a ReSPECT plan for most adults with a CPR decision (a ReSPECT form always
	 * records a CPR recommendation), an ADRT for about a tenth of adults, never beside a
	 * recommendation for CPR, and an LPA for about one in seven adults, whose attorney is
	 * the next of kin. Every draw is made whether or not it is used, so one choice does
	 * not shift the others.
	 */
	private static void advanceDecisions(Person p, SplittableRandom random, LocalDate added) {
		int awareness = random.nextInt(100);
		boolean wantsRespect = random.nextInt(100) < 85;
		int priority = random.nextInt(5);
		boolean makesAdrt = random.nextInt(100) < 11;
		int refusal = random.nextInt(REFUSALS.length);
		int adrtDaysBefore = random.nextInt(365);
		boolean makesLpa = random.nextInt(100) < 15;
		boolean lpaCoversLifeSustainingTreatment = random.nextInt(100) < 70;
		int lpaDaysBefore = 30 + random.nextInt(700);
		boolean hasNextOfKin = random.nextInt(100) < 85;
		int kin = random.nextInt(KIN.length);
		int kinName = random.nextInt(GIVEN_MALE.length);

		if (p.child && p.age < 12) {
			p.awareness = 3; // relative aware: a young child's parents are the ones told
		}
		else {
			p.awareness = (awareness < 65) ? 0 : (awareness < 75) ? 1 : (awareness < 85) ? 2 : 3;
		}
		p.respect = !p.child && p.cpr != null && wantsRespect;
		p.respectPriority = NOT_FOR_CPR.equals(p.cpr) ? 60 + 10 * priority : 10 * priority;
		p.adrt = !p.child && !FOR_CPR.equals(p.cpr) && makesAdrt;
		p.adrtRefusal = REFUSALS[refusal];
		p.adrtMade = added.minusDays(adrtDaysBefore).toString();
		p.lpa = !p.child && makesLpa;
		p.lpaCoversLifeSustainingTreatment = lpaCoversLifeSustainingTreatment;
		p.lpaRegistered = added.minusDays(lpaDaysBefore).toString();
		p.nextOfKin = p.lpa || hasNextOfKin;
		if (p.child) {
			p.kinId = p.id + "-father";
			p.kinCode = "FTH";
			p.kinDisplay = "father";
		}
		else {
			p.kinId = p.id + "-next-of-kin";
			p.kinCode = KIN[kin][0];
			p.kinDisplay = KIN[kin][1];
		}
		boolean woman = "DAUC".equals(p.kinCode) || ("SPS".equals(p.kinCode) && !p.female);
		p.kinGiven = woman ? GIVEN_FEMALE[kinName % GIVEN_FEMALE.length] : GIVEN_MALE[kinName];
	}

	private static String patient(Person p, String deceased) {
		return """
				{"resourceType":"Patient","id":"%1$s","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-patient"]},
				"extension":[{"url":"%9$s","valueCodeableConcept":{"coding":[{"system":"%10$s","code":"%11$s","display":"%12$s"}]}},
				{"url":"https://fhir.openepaccs.org/StructureDefinition/epaccs-deprivation-decile","valueInteger":%13$d}],
				"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"%2$s"}],"name":[{"use":"official","family":"%3$s","given":["%4$s"]}],
				"gender":"%5$s","birthDate":"%6$s",%7$s"generalPractitioner":[{"reference":"Organization/%8$s"}]}"""
			.formatted(p.id, p.nhs, p.family, p.given, p.female ? "female" : "male", p.birthDate,
					(deceased != null) ? "\"deceasedDateTime\":\"" + deceased + "\"," : "", p.practice,
					EthnicCategory.EXTENSION, EthnicCategory.SYSTEM, p.ethnicity.code(), p.ethnicity.display(),
					p.deprivationDecile);
	}

	private static String prognosisAwareness(Person p) {
		return """
				{"resourceType":"Observation","id":"%1$s-prognosis-awareness","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-prognosis-awareness"]},"status":"final",
				"code":{"coding":[{"system":"http://snomed.info/sct","code":"%2$s","display":"%3$s"}],"text":"%3$s"},"subject":{"reference":"Patient/%1$s"},
				"focus":[{"reference":"Observation/%1$s-prognosis"}],"effectiveDateTime":"%4$s","performer":[{"reference":"PractitionerRole/%5$s"}]}"""
			.formatted(p.id, AWARENESS[p.awareness][0], AWARENESS[p.awareness][1], p.added, p.gpRole);
	}

	/**
	 * A child's father, with parental responsibility; an adult's next of kin, who is the
	 * attorney when there is an LPA.
	 */
	private static String nextOfKin(Person p, int index) {
		String role = p.child
				? ",{\"coding\":[{\"system\":\"https://fhir.openepaccs.org/CodeSystem/epaccs-relationship\",\"code\":\"parental-responsibility\",\"display\":\"Has parental responsibility\"}]}"
				: ",{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0131\",\"code\":\"N\",\"display\":\"Next-of-Kin\"}]}";
		if (p.lpa) {
			role += ",{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-RoleCode\",\"code\":\"HPOWATT\",\"display\":\"healthcare power of attorney\"}]}";
		}
		return """
				{"resourceType":"RelatedPerson","id":"%1$s","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-related-person"]},"active":true,"patient":{"reference":"Patient/%2$s"},
				"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"%3$s","display":"%4$s"}]}%5$s],
				"name":[{"family":"%6$s","given":["%7$s"]}],"telecom":[{"system":"phone","value":"%8$s","use":"mobile"}]%9$s}"""
			.formatted(p.kinId, p.id, p.kinCode, p.kinDisplay, role, p.family, p.kinGiven, mobile(index + 500),
					p.lpa ? ",\"period\":{\"start\":\"" + p.lpaRegistered + "\"}" : "");
	}

	/**
	 * The ReSPECT plan: its CPR recommendation is the person's CPR decision, and the
	 * priorities lean to comfort for those not for CPR.
	 */
	private static String respect(Person p) {
		boolean notForCpr = NOT_FOR_CPR.equals(p.cpr);
		String statement = notForCpr ? "I want to be comfortable, and to stay at home if I can."
				: "I want treatment that could help me live longer, in hospital if need be.";
		String activities = notForCpr
				? """
						{"detail":{"code":{"text":"Cardiopulmonary resuscitation"},"status":"not-started","doNotPerform":true,"description":"CPR is not recommended (not for CPR)."}},
						{"detail":{"code":{"text":"Symptom control and comfort care at home"},"status":"in-progress","description":"Treat reversible causes at home where possible; hospital admission only if symptoms cannot be controlled at home."}}"""
				: """
						{"detail":{"code":{"text":"Cardiopulmonary resuscitation"},"status":"not-started","doNotPerform":false,"description":"CPR is recommended (for CPR)."}},
						{"detail":{"code":{"text":"Treatment of reversible causes"},"status":"not-started","description":"Treat reversible causes, with hospital admission if needed."}}""";
		return """
				{"resourceType":"CarePlan","id":"%1$s-respect","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-advance-care-plan"]},
				"extension":[{"url":"https://fhir.openepaccs.org/StructureDefinition/epaccs-plan-review-date","valueDate":"%2$s"},
				{"url":"https://fhir.openepaccs.org/StructureDefinition/epaccs-respect-priority-scale","extension":[{"url":"scale","valueInteger":%3$d},{"url":"statement","valueString":"%4$s"}]}],
				"status":"active","intent":"plan","category":[{"coding":[{"system":"http://snomed.info/sct","code":"1107891000000106","display":"Has Recommended Summary Plan for Emergency Care and Treatment"}],"text":"ReSPECT"}],
				"title":"ReSPECT: Recommended Summary Plan for Emergency Care and Treatment","subject":{"reference":"Patient/%1$s"},"period":{"start":"%5$s"},"created":"%5$s",
				"author":{"reference":"PractitionerRole/%6$s"},"contributor":[{"reference":"Patient/%1$s"},{"reference":"RelatedPerson/%1$s-carer"}],
				"activity":[%7$s],"supportingInfo":[{"reference":"Flag/%1$s-cpr"},{"reference":"DocumentReference/%1$s-respect-form"}]}"""
			.formatted(p.id, p.review, p.respectPriority, statement, p.added, p.gpRole, activities.strip());
	}

	private static String respectForm(Person p) {
		return """
				{"resourceType":"DocumentReference","id":"%1$s-respect-form","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-document"]},"status":"current","docStatus":"final",
				"type":{"coding":[{"system":"http://snomed.info/sct","code":"1382601000000107"}],"text":"ReSPECT form"},
				"category":[{"coding":[{"system":"http://snomed.info/sct","code":"734163000"}],"text":"Care plan"}],
				"subject":{"reference":"Patient/%1$s"},"date":"%2$sT11:00:00Z","author":[{"reference":"PractitionerRole/%3$s"}],"authenticator":{"reference":"PractitionerRole/%3$s"},
				"custodian":{"reference":"Organization/%4$s"},"description":"Signed original kept at home with the patient",
				"content":[{"attachment":{"contentType":"text/plain","language":"en-GB","title":"ReSPECT form, signed %5$s (scanned copy)","data":"%6$s","creation":"%2$s"}}],
				"context":{"related":[{"reference":"CarePlan/%1$s-respect"}]}}"""
			.formatted(p.id, p.added, p.gpRole, p.practice, longDate(p.added), RESPECT_FORM_COPY);
	}

	private static String adrt(Person p) {
		return """
				{"resourceType":"Consent","id":"%1$s-adrt","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-adrt"]},"status":"active",
				"scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"adr","display":"Advanced Care Directive"}]},
				"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentcategorycodes","code":"acd","display":"Advance Directive"}]},
				{"coding":[{"system":"http://snomed.info/sct","code":"816321000000109","display":"Has advance decision to refuse life sustaining treatment (Mental Capacity Act 2005)"}]}],
				"patient":{"reference":"Patient/%1$s"},"dateTime":"%2$s","performer":[{"reference":"Patient/%1$s"}],
				"policy":[{"authority":"https://www.legislation.gov.uk","uri":"https://www.legislation.gov.uk/ukpga/2005/9/contents"}],
				"sourceAttachment":{"contentType":"text/plain","language":"en-GB","title":"Advance decision to refuse treatment (signed and witnessed), %3$s","data":"%4$s"},
				"provision":{"type":"deny","code":[{"text":"%5$s"}]}}"""
			.formatted(p.id, p.adrtMade, longDate(p.adrtMade), ADRT_COPY, p.adrtRefusal);
	}

	private static String lpa(Person p) {
		return """
				{"resourceType":"Consent","id":"%1$s-lpa","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-lpa-consent"]},
				"extension":[{"url":"https://fhir.openepaccs.org/StructureDefinition/epaccs-lpa-covers-life-sustaining-treatment","valueBoolean":%2$s}],"status":"active",
				"scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"adr","display":"Advanced Care Directive"}]},
				"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentcategorycodes","code":"acd","display":"Advance Directive"}]},
				{"coding":[{"system":"http://snomed.info/sct","code":"816361000000101","display":"Has appointed person with personal welfare lasting power of attorney (Mental Capacity Act 2005)"}]}],
				"patient":{"reference":"Patient/%1$s"},"dateTime":"%3$s","performer":[{"reference":"Patient/%1$s"}],
				"policy":[{"authority":"https://www.legislation.gov.uk","uri":"https://www.legislation.gov.uk/ukpga/2005/9/contents"}],
				"provision":{"type":"permit","period":{"start":"%3$s"},
				"actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"HPOWATT","display":"healthcare power of attorney"}]},"reference":{"reference":"RelatedPerson/%4$s","display":"%5$s %6$s"}}],
				"code":[{"text":"%7$s"}]}}"""
			.formatted(p.id, p.lpaCoversLifeSustainingTreatment, p.lpaRegistered, p.kinId, p.kinGiven, p.family,
					p.lpaCoversLifeSustainingTreatment
							? "Health and welfare decisions, including giving or refusing consent to life-sustaining treatment"
							: "Health and welfare decisions, not including life-sustaining treatment");
	}

	private static String longDate(String isoDate) {
		return LocalDate.parse(isoDate).format(LONG_DATE);
	}

	/** Base64 text standing in for a scanned document, saying that it is one. */
	private static String placeholder(String document) {
		return Base64.getEncoder()
			.encodeToString((document + " (synthetic placeholder)").getBytes(StandardCharsets.UTF_8));
	}

	private static String preference(Person p, String suffix, int rank, String system, String code, String display) {
		return """
				{"resourceType":"Observation","id":"%1$s-%2$s","meta":{"profile":["https://fhir.openepaccs.org/StructureDefinition/epaccs-preferred-place"]},
				"extension":[{"url":"https://fhir.openepaccs.org/StructureDefinition/epaccs-preference-rank","valuePositiveInt":%3$d}],"status":"final",
				"code":{"coding":[{"system":"%4$s","code":"%5$s","display":"%6$s"}],"text":"%6$s"},"subject":{"reference":"Patient/%1$s"},
				"effectiveDateTime":"%7$s","performer":[{"reference":"PractitionerRole/%8$s"}]}"""
			.formatted(p.id, suffix, rank, system, code, display, p.added, p.gpRole);
	}

	private static String organisation(String id, String ods, String name, String phone) {
		return """
				{"resourceType":"Organization","id":"%s","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"%s"}],"active":true,
				"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/organization-type","code":"prov","display":"Healthcare Provider"}]}],
				"name":"%s","telecom":[{"system":"phone","value":"%s","use":"work"}]}"""
			.formatted(id, ods, name, phone);
	}

	private static String practitioner(String id, String prefix, String given, String family) {
		return """
				{"resourceType":"Practitioner","id":"%s","active":true,"name":[{"use":"official","family":"%s","given":["%s"]%s}]}"""
			.formatted(id, family, given, prefix.isEmpty() ? "" : ",\"prefix\":[\"" + prefix + "\"]");
	}

	private static String role(String id, String practitioner, String organisation, String title) {
		return """
				{"resourceType":"PractitionerRole","id":"%s","active":true,"practitioner":{"reference":"Practitioner/%s"},
				"organization":{"reference":"Organization/%s"},"code":[{"text":"%s"}],"telecom":[{"system":"phone","value":"01632 960000","use":"work"}]}"""
			.formatted(id, practitioner, organisation, title);
	}

	/*
	 * Telephone numbers come from the ranges Ofcom keeps for drama (01632 960000-960999,
	 * 07700 900000-900999), which it does not allocate to any provider: numbers outside
	 * them could ring a real person. Several people and organisations share a number;
	 * nothing needs them to differ.
	 */
	private static String landline(int number) {
		return String.format(Locale.ROOT, "01632 960%03d", number % 1000);
	}

	private static String mobile(int number) {
		return String.format(Locale.ROOT, "07700 900%03d", number % 1000);
	}

	/** Synthetic ODS codes: a prefix kept clear of the examples' Y999xx, and a number. */
	private static String ods(String prefix, int number) {
		return prefix + String.format(Locale.ROOT, "%04d", number % 10000);
	}

	private static String put(String type, String id, String resource) {
		return "{\"fullUrl\":\"" + type + "/" + id + "\",\"resource\":" + resource.replace("\n", "")
				+ ",\"request\":{\"method\":\"PUT\",\"url\":\"" + type + "/" + id + "\"}},";
	}

	private static String transaction(StringBuilder entries) {
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
				+ entries.substring(0, entries.length() - 1) + "]}";
	}

	private static final class Person {

		String id;

		String nhs;

		boolean child;

		boolean female;

		String family;

		String given;

		String birthDate;

		String practice;

		String gpRole;

		String nurseRole;

		String spoc;

		String added;

		String review;

		String identifiedBy;

		String identifiedByText;

		String cpr;

		int place;

		int secondPlace;

		int carePlace;

		int prognosis;

		int akps;

		boolean refusesSharing;

		boolean anticipatoryMedicines;

		String died;

		boolean diesWherePreferred;

		EthnicCategory ethnicity;

		int deprivationDecile;

		int age;

		int awareness;

		boolean respect;

		int respectPriority;

		boolean adrt;

		String adrtRefusal;

		String adrtMade;

		boolean lpa;

		boolean lpaCoversLifeSustainingTreatment;

		String lpaRegistered;

		boolean nextOfKin;

		String kinId;

		String kinCode;

		String kinDisplay;

		String kinGiven;

	}

}
