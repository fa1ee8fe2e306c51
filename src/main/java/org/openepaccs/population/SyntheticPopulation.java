package org.openepaccs.population;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.openepaccs.population.SyntheticResources.Code;
import org.openepaccs.common.NhsNumber;

import static org.openepaccs.population.SyntheticResources.adrt;
import static org.openepaccs.population.SyntheticResources.advanceCarePlan;
import static org.openepaccs.population.SyntheticResources.anticipatoryMedicines;
import static org.openepaccs.population.SyntheticResources.careTeam;
import static org.openepaccs.population.SyntheticResources.carer;
import static org.openepaccs.population.SyntheticResources.consentToShare;
import static org.openepaccs.population.SyntheticResources.cprDecision;
import static org.openepaccs.population.SyntheticResources.diagnosis;
import static org.openepaccs.population.SyntheticResources.emergencyAdmission;
import static org.openepaccs.population.SyntheticResources.functionalStatus;
import static org.openepaccs.population.SyntheticResources.lpa;
import static org.openepaccs.population.SyntheticResources.nextOfKin;
import static org.openepaccs.population.SyntheticResources.organisation;
import static org.openepaccs.population.SyntheticResources.patient;
import static org.openepaccs.population.SyntheticResources.placeOfDeath;
import static org.openepaccs.population.SyntheticResources.practitioner;
import static org.openepaccs.population.SyntheticResources.practitionerRole;
import static org.openepaccs.population.SyntheticResources.preferredPlace;
import static org.openepaccs.population.SyntheticResources.prognosis;
import static org.openepaccs.population.SyntheticResources.prognosisAwareness;
import static org.openepaccs.population.SyntheticResources.registerEntry;
import static org.openepaccs.population.SyntheticResources.respectForm;
import static org.openepaccs.population.SyntheticResources.respectPlan;

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
 * package's value sets, except the ethnic category, from UK Core's, and the ICD-10
 * diagnoses of adults and children ({@link PalliativeDiagnosis},
 * {@link LifeLimitingCondition}).
 * <p>
 * Who each person is and what they decided is drawn here; {@link SyntheticResources}
 * builds their resources from that, and {@link Transaction} writes them as JSON.
 */
public final class SyntheticPopulation {

	/**
	 * The organisation of the demo GP system that loads the population: each person's
	 * sharing decision names it as a custodian beside their practice, because only a
	 * custodian may go on writing a person's record after they refuse to share (the
	 * year's deaths, and a load resumed after a stop).
	 */
	static final String LOADER_ODS = "Y99901";

	/**
	 * How many in a thousand who die had three or more emergency admissions in their last
	 * 90 days: 7.1% of all deaths in England in 2021 (Nuffield Trust QualityWatch,
	 * "Emergency admissions at the end of life"). Another fifth have one, a share with no
	 * published source, so that the indicator's denominator holds people with fewer.
	 */
	private static final int EMERGENCY_ADMISSIONS_3_OR_MORE = 71;

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

	/** Every practitioner role's work number. */
	private static final String ROLE_PHONE = landline(0);

	private static final String[] FAMILY = { "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
			"Davies", "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
			"Khan", "Lewis", "Harris", "Clarke", "Ali", "Begum", "Okafor", "Nowak", "Murphy", "Hughes" };

	private static final String[] GIVEN_FEMALE = { "Margaret", "Patricia", "Susan", "Jean", "Mary", "Aisha", "Grace",
			"Fatima", "Olivia", "Amelia", "Joan", "Sarah", "Priya", "Eileen" };

	private static final String[] GIVEN_MALE = { "John", "David", "Michael", "Peter", "Robert", "Mohammed", "James",
			"Oliver", "Arthur", "George", "Kwame", "Tomasz", "Brian", "Raj" };

	/** Preferred places of death, each with the place of death that achieves it. */
	private static final Place[] PLACES = {
			new Place(Code.snomed("110481000000108", "Preferred place of death: home"),
					Code.snomed("876879006", "Died at home")),
			new Place(Code.snomed("108401000000102", "Preferred place of death: hospice"),
					Code.snomed("876882001", "Died in hospice")),
			new Place(Code.snomed("710571000000101", "Preferred place of death: care home"),
					Code.snomed("876884000", "Died in nursing home")),
			new Place(Code.snomed("109401000000108", "Preferred place of death: hospital"),
					Code.snomed("183676005", "Died in hospital")),
			new Place(Code.snomed("819211000000102", "Preferred place of death: usual place of residence"),
					Code.snomed("876879006", "Died at home")) };

	private static final Code[] CARE_PLACES = {
			Code.project("epaccs-preferred-place-of-care", "home", "Preferred place of care: home"),
			Code.project("epaccs-preferred-place-of-care", "hospice", "Preferred place of care: hospice"),
			Code.project("epaccs-preferred-place-of-care", "care-home", "Preferred place of care: care home") };

	private static final Code[] PROGNOSES = { Code.snomed("511401000000102", "Last days of life"),
			Code.snomed("955231000000109", "Last weeks of life"), Code.snomed("968211000000101", "Last months of life"),
			Code.snomed("767503006", "Limited life expectancy of approximately one year") };

	/** Awareness of prognosis findings, in the order the draw picks them. */
	private static final Code[] AWARENESS = { Code.snomed("444332001", "Aware of prognosis"),
			Code.snomed("699093007", "Unaware of prognosis"),
			Code.snomed("764551000000100", "Does not wish to discuss prognosis"),
			Code.snomed("473316003", "Relative aware of prognosis") };

	/** Where {@link #AWARENESS} has the relative aware of the prognosis. */
	private static final int RELATIVE_AWARE = 3;

	private static final Code SPOUSE = Code.role("SPS", "spouse");

	private static final Code DAUGHTER = Code.role("DAUC", "daughter");

	/** An adult's next of kin. */
	private static final Code[] KIN = { SPOUSE, DAUGHTER, Code.role("SONC", "son") };

	private static final Code FATHER = Code.role("FTH", "father");

	private static final Code NOT_FOR_CPR = Code.snomed("450476008", "Not for cardiopulmonary resuscitation");

	private static final Code FOR_CPR = Code.snomed("450475007", "For cardiopulmonary resuscitation");

	/**
	 * Treatments refused in an ADRT: life-sustaining ones, as its SNOMED finding says.
	 */
	private static final String[] REFUSALS = {
			"Mechanical ventilation (invasive or non-invasive), even if my life is at risk",
			"Artificial nutrition and hydration by tube, even if my life is at risk",
			"Antibiotics for a life-threatening infection, even if my life is at risk" };

	/** How the person was identified for the register. */
	private static final Code[] IDENTIFIED_BY = {
			Code.project("epaccs-register-identification", "surprise-question", "Surprise question"),
			Code.project("epaccs-register-identification", "spict", "SPICT"),
			Code.project("epaccs-register-identification", "gsf-proactive-identification",
					"GSF Proactive Identification Guidance"),
			Code.project("epaccs-register-identification", "clinical-judgement", "Clinical judgement") };

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
		Transaction icbs = new Transaction();
		for (int icb = firstPractice() / PRACTICES_PER_ICB; icb <= lastPractice() / PRACTICES_PER_ICB; icb++) {
			icbs.put(organisation("syn-icb-" + icb, ods("Y8", icb), "Synthetic ICB " + (icb + 1), landline(icb)));
			icbs.put(organisation("syn-spoc-" + icb, ods("Y7", icb),
					"Synthetic 24/7 Palliative Care Advice Line " + (icb + 1), landline(icb)));
			icbs.put(organisation("syn-hospice-" + icb, ods("Y6", icb), "Synthetic Hospice " + (icb + 1),
					landline(icb)));
		}
		transactions.add(icbs.json());
		Transaction practices = new Transaction();
		for (int practice = firstPractice(); practice <= lastPractice(); practice++) {
			if (practice > firstPractice() && (practice - firstPractice()) % PRACTICES_PER_DIRECTORY_TRANSACTION == 0) {
				transactions.add(practices.json());
				practices = new Transaction();
			}
			String id = "syn-practice-" + practice;
			practices
				.put(organisation(id, ods("Y9", practice), "Synthetic Surgery " + (practice + 1), landline(practice)));
			practices.put(practitioner("syn-gp-" + practice, "Dr", GIVEN_FEMALE[practice % GIVEN_FEMALE.length],
					FAMILY[practice % FAMILY.length]));
			practices.put(practitionerRole("syn-gp-role-" + practice, "syn-gp-" + practice, id, "General practitioner",
					ROLE_PHONE));
			practices.put(practitioner("syn-nurse-" + practice, null, GIVEN_MALE[practice % GIVEN_MALE.length],
					FAMILY[(practice + 7) % FAMILY.length]));
			practices.put(practitionerRole("syn-nurse-role-" + practice, "syn-nurse-" + practice, id, "District nurse",
					ROLE_PHONE));
		}
		transactions.add(practices.json());
		return transactions;
	}

	/** The id of person {@code index}'s Patient. */
	public static String patientId(int index) {
		return "syn-" + index;
	}

	/** Person {@code index}'s record while alive, as one transaction. */
	public String record(int index) {
		Person p = person(index);
		Transaction record = new Transaction().put(patient(p, null));
		if (p.diagnosis.recorded()) {
			record.put(diagnosis(p));
		}
		record.put(registerEntry(p)).put(careTeam(p)).put(carer(p)).put(advanceCarePlan(p));
		if (p.cpr != null) {
			record.put(cprDecision(p));
		}
		record.put(preferredPlace(p, "ppd-1", 1, p.preferredPlace));
		if (p.secondPlace != null) {
			record.put(preferredPlace(p, "ppd-2", 2, p.secondPlace));
		}
		record.put(preferredPlace(p, "ppc-1", 1, p.carePlace));
		record.put(prognosis(p));
		record.put(prognosisAwareness(p));
		if (!p.child) {
			record.put(functionalStatus(p));
		}
		record.put(consentToShare(p));
		if (p.anticipatoryMedicines) {
			record.put(anticipatoryMedicines(p));
		}
		if (p.nextOfKin) {
			record.put(nextOfKin(p));
		}
		if (p.respect) {
			record.put(respectPlan(p));
			record.put(respectForm(p));
		}
		if (p.adrt) {
			record.put(adrt(p));
		}
		if (p.lpa) {
			record.put(lpa(p));
		}
		return record.json();
	}

	/** Person {@code index}'s death, as the GP records it, or null if they live. */
	String death(int index) {
		Person p = person(index);
		if (p.died == null) {
			return null;
		}
		String died = p.died + "T03:00:00Z";
		Transaction death = new Transaction().put(patient(p, died)).put(placeOfDeath(p, died));
		for (int admission = 1; admission <= p.emergencyAdmissions; admission++) {
			death.put(emergencyAdmission(p, admission));
		}
		return death.json();
	}

	List<Integer> deaths() {
		return IntStream.range(0, this.people).filter((i) -> person(i).died != null).boxed().toList();
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
		p.identifiedBy = IDENTIFIED_BY[random.nextInt(IDENTIFIED_BY.length)];
		p.cpr = (random.nextInt(100) < 80) ? ((random.nextInt(100) < 90) ? NOT_FOR_CPR : FOR_CPR) : null;
		int place = random.nextInt(PLACES.length);
		p.preferredPlace = PLACES[place].preferred();
		p.secondPlace = (random.nextInt(100) < 60)
				? PLACES[(place + 1 + random.nextInt(PLACES.length - 1)) % PLACES.length].preferred() : null;
		p.carePlace = CARE_PLACES[random.nextInt(CARE_PLACES.length)];
		p.prognosis = PROGNOSES[random.nextInt(PROGNOSES.length)];
		p.akps = 10 * (1 + random.nextInt(7));
		p.refusesSharing = random.nextInt(100) < 3;
		p.anticipatoryMedicines = random.nextInt(100) < 60;
		if (random.nextInt(3) == 0) {
			p.died = YEAR_START.plusDays(random.nextInt(330)).toString();
			boolean diesWherePreferred = random.nextInt(100) < 70;
			p.placeOfDeath = PLACES[diesWherePreferred ? place : (place + 3) % PLACES.length].died();
		}
		// drawn after everything else, so that the people of a seed stay who they were
		p.ethnicity = EthnicCategory.of(random.nextInt(1000));
		p.deprivationDecile = 1 + random.nextInt(10);
		int diagnosis = random.nextInt(1000);
		int admissions = random.nextInt(1000);
		p.diagnosis = p.child ? LifeLimitingCondition.of(diagnosis) : PalliativeDiagnosis.of(diagnosis);
		p.emergencyAdmissions = (p.died == null) ? 0
				: (admissions < EMERGENCY_ADMISSIONS_3_OR_MORE) ? 3 : (admissions < 300) ? 1 : 0;
		advanceDecisions(p, random, added);
		// counted from this population's first person, not drawn
		p.carerGiven = GIVEN_FEMALE[(i + 3) % GIVEN_FEMALE.length];
		p.carerMobile = mobile(i);
		p.kinMobile = mobile(i + 500);
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
			p.awareness = AWARENESS[RELATIVE_AWARE]; // a young child's parents are the
														// ones told
		}
		else {
			p.awareness = AWARENESS[(awareness < 65) ? 0
					: (awareness < 75) ? 1 : (awareness < 85) ? 2 : RELATIVE_AWARE];
		}
		p.respect = !p.child && p.cpr != null && wantsRespect;
		p.respectPriority = p.notForCpr() ? 60 + 10 * priority : 10 * priority;
		p.adrt = !p.child && !FOR_CPR.equals(p.cpr) && makesAdrt;
		p.adrtRefusal = REFUSALS[refusal];
		p.adrtMade = added.minusDays(adrtDaysBefore).toString();
		p.lpa = !p.child && makesLpa;
		p.lpaCoversLifeSustainingTreatment = lpaCoversLifeSustainingTreatment;
		p.lpaRegistered = added.minusDays(lpaDaysBefore).toString();
		p.nextOfKin = p.lpa || hasNextOfKin;
		p.kinId = p.id + (p.child ? "-father" : "-next-of-kin");
		p.kin = p.child ? FATHER : KIN[kin];
		boolean woman = p.kin == DAUGHTER || (p.kin == SPOUSE && !p.female);
		p.kinGiven = woman ? GIVEN_FEMALE[kinName % GIVEN_FEMALE.length] : GIVEN_MALE[kinName];
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

	/** A preferred place of death, and the place of death that achieves it. */
	private record Place(Code preferred, Code died) {
	}

	/** Who a person is and what they drew: what their resources are built from. */
	static final class Person {

		String id;

		String nhs;

		boolean child;

		int age;

		boolean female;

		String family;

		String given;

		String birthDate;

		EthnicCategory ethnicity;

		int deprivationDecile;

		String practice;

		String gpRole;

		String nurseRole;

		String spoc;

		String added;

		String review;

		Code identifiedBy;

		/** Not for CPR, for CPR, or (no decision yet) null. */
		Code cpr;

		Code preferredPlace;

		/** A second choice of place of death, or null. */
		Code secondPlace;

		Code carePlace;

		Code prognosis;

		Code awareness;

		int akps;

		boolean refusesSharing;

		boolean anticipatoryMedicines;

		/** The date of death, or null for those who live through the year. */
		String died;

		PrimaryDiagnosis diagnosis;

		/** Emergency admissions in the last 90 days of life. */
		int emergencyAdmissions;

		Code placeOfDeath;

		String carerGiven;

		String carerMobile;

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

		Code kin;

		String kinGiven;

		String kinMobile;

		boolean notForCpr() {
			return NOT_FOR_CPR.equals(this.cpr);
		}

	}

}
