package org.openepaccs.metrics;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry.SearchParamLookupContextEnum;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.openepaccs.common.Systems;
import org.openepaccs.records.RecordMeanings;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads the facts the indicators need straight from HAPI's search index tables
 * ({@code HFJ_SPIDX_TOKEN}, {@code HFJ_SPIDX_DATE}, {@code HFJ_SPIDX_NUMBER},
 * {@code HFJ_RES_LINK}), by the hashes HAPI itself searches them with: one query a fact,
 * each returning at most a row per resource of the kind it asks about, never a resource's
 * content. Consent to share plays no part: a person who refused is counted (counting is
 * not sharing), and nothing identifying leaves this class.
 * <p>
 * Only current versions are indexed, so the facts are the records as they are now: an
 * advance care plan since cancelled does not count for an earlier period. It reads
 * everyone or a few people ({@link Scope}); {@link CurrentFacts} decides which.
 */
@Component
class IndexedFacts {

	static final String ETHNIC_CATEGORY = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland";

	static final String GENDER = "http://hl7.org/fhir/administrative-gender";

	static final String PLAN_TYPE = "https://fhir.openepaccs.org/CodeSystem/epaccs-plan-type";

	static final Set<String> ADULT_PLANS = Set.of("736373009", "acp-pcsp");

	static final Set<String> CYP_PLANS = Set.of("cypacp-with-respect", "cypacp-without-respect", "cypacp-antenatal");

	/** ValueSet epaccs-preferred-place-of-death. */
	static final Set<String> PREFERRED_PLACE_OF_DEATH = Set.of("517131000000106", "766391000000108", "517111000000103",
			"517161000000101", "710571000000101", "89751000000108", "110481000000108", "108401000000102",
			"931401000000103", "109401000000108", "518741000000100", "518771000000106", "1060941000000102",
			"89761000000106", "512071000000106", "819211000000102");

	/** ValueSet epaccs-actual-place-of-death. */
	static final Set<String> ACTUAL_PLACE_OF_DEATH = Set.of("876879006", "714342001", "876882001", "183676005",
			"713050009", "713051008", "876884000", "876885004", "876881008", "713049009", "1325731000000106");

	/** ValueSet epaccs-cpr-decision. */
	static final Set<String> CPR_DECISION = Set.of("450476008", "450475007", "304253006", "304252001");

	/** ValueSet epaccs-anticipatory-medicines. */
	static final Set<String> ANTICIPATORY_MEDICINES = Set.of("376201000000102", "871021000000106");

	/** Register entries that never were one, or not yet. */
	private static final Set<String> NOT_ON_REGISTER = Set.of("planned", "waitlist", "cancelled", "entered-in-error");

	/** Observation statuses of a record that stands. */
	private static final Set<String> STANDING_OBSERVATION = Set.of("final", "amended", "corrected");

	private final JdbcTemplate jdbc;

	private final PartitionSettings partitionSettings;

	private final ISearchParamRegistry searchParams;

	IndexedFacts(JdbcTemplate jdbc, PartitionSettings partitionSettings, ISearchParamRegistry searchParams) {
		this.jdbc = jdbc;
		this.partitionSettings = partitionSettings;
		this.searchParams = searchParams;
	}

	/**
	 * The facts of everyone who has ever had a register entry or whose death is recorded,
	 * by the key of their Patient; with a scope, of those of its people who are.
	 * @param scope the people to read, or null for everyone
	 */
	Map<Long, PersonFacts> read(Scope scope) {
		Map<Long, PersonFacts> people = new HashMap<>();
		Map<Long, Long> entryPatients = links("EpisodeOfCare", "patient",
				codes("EpisodeOfCare", "type", Systems.SNOMED, Set.of(RecordMeanings.PALLIATIVE_CARE)), scope);
		Map<Long, LocalDate> deaths = dates("Patient", "death-date", false, scope);
		entryPatients.values().forEach((patient) -> people.computeIfAbsent(patient, (p) -> new PersonFacts()));
		deaths.forEach((patient, day) -> people.computeIfAbsent(patient, (p) -> new PersonFacts()).deathDate = day);

		dates("Patient", "birthdate", false, scope).forEach(ifKnown(people, (person, day) -> person.birthDate = day));
		Map<Long, String> genders = tokenValues("Patient", "gender", GENDER,
				Set.of("female", "male", "other", "unknown"), scope);
		genders.forEach(ifKnown(people, (person, gender) -> person.gender = gender));
		valuesOfSystem("Patient", "ethnic-category", ETHNIC_CATEGORY, scope)
			.forEach(ifKnown(people, (person, code) -> person.ethnicCategory = code));
		numbers("Patient", "deprivation-decile", scope)
			.forEach(ifKnown(people, (person, decile) -> person.deprivationDecile = decile));
		// every organisation: a person's practice is any of them
		Map<Long, String> odsCodes = valuesOfSystem("Organization", "identifier", Systems.ODS, null);
		links("Patient", "general-practitioner", null, scope).forEach(ifKnown(people, (person, organisation) -> {
			if (odsCodes.containsKey(organisation)) {
				person.practice = odsCodes.get(organisation);
			}
		}));

		registerEntries(entryPatients, people, odsCodes, scope);
		carePlans(people, scope);
		observations(people, scope);
		has(people, "Flag", CPR_DECISION, "status", Set.of("active"), scope)
			.forEach((p) -> people.get(p).cprDecision = true);
		has(people, "Procedure", ANTICIPATORY_MEDICINES, "status", Set.of("completed"), scope)
			.forEach((p) -> people.get(p).anticipatoryMedicines = true);
		emergencyAdmissions(people, scope);
		return people;
	}

	/**
	 * The people and every record of theirs that refers to them: all that {@link #read}
	 * needs to read their facts, since each record it reads names its person. Other
	 * Patients that refer to them (a linked record) are not theirs.
	 */
	Scope scopeOf(Collection<Long> patients) {
		Set<Long> resources = new HashSet<>(patients);
		if (!patients.isEmpty()) {
			this.jdbc.query("SELECT SRC_RESOURCE_ID FROM HFJ_RES_LINK WHERE TARGET_RESOURCE_ID IN ("
					+ Scope.list(patients) + ") AND SOURCE_RESOURCE_TYPE <> 'Patient'", (row) -> {
						resources.add(row.getLong(1));
					});
		}
		return new Scope(resources);
	}

	/**
	 * The resources a read is limited to, written into the statements as numbers: they
	 * are the database's own keys, never input.
	 */
	record Scope(Set<Long> resources) {

		static String list(Collection<Long> keys) {
			return keys.isEmpty() ? "NULL" : keys.stream().map(String::valueOf).collect(Collectors.joining(","));
		}

		/** The condition that limits the column to the scope; none without one. */
		static String within(Scope scope, String column) {
			return (scope != null) ? " AND " + column + " IN (" + list(scope.resources()) + ")" : "";
		}

	}

	/** Whether each Systems.ODS code names an Organization stored here. */
	Set<String> knownPractices(Set<String> odsCodes) {
		Set<String> known = new HashSet<>();
		Map<Long, String> byHash = new HashMap<>();
		for (String code : odsCodes) {
			byHash.put(systemAndValue("Organization", "identifier", Systems.ODS, code), code);
		}
		if (byHash.isEmpty()) {
			return known;
		}
		this.jdbc.query("SELECT DISTINCT HASH_SYS_AND_VALUE FROM HFJ_SPIDX_TOKEN WHERE HASH_SYS_AND_VALUE IN ("
				+ marks(byHash.size()) + ")", (row) -> {
					known.add(byHash.get(row.getLong(1)));
				}, byHash.keySet().toArray());
		return known;
	}

	private void registerEntries(Map<Long, Long> entryPatients, Map<Long, PersonFacts> people,
			Map<Long, String> odsCodes, Scope scope) {
		Map<Long, LocalDate> starts = dates("EpisodeOfCare", "added", false, scope);
		Map<Long, LocalDate> ends = dates("EpisodeOfCare", "date", true, scope);
		Map<Long, String> statuses = tokenValues("EpisodeOfCare", "status", null,
				Set.of("planned", "waitlist", "active", "onhold", "finished", "cancelled", "entered-in-error"), scope);
		TokenFilter register = codes("EpisodeOfCare", "type", Systems.SNOMED, Set.of(RecordMeanings.PALLIATIVE_CARE));
		Map<Long, Long> keyWorkers = links("EpisodeOfCare", "care-manager", register, scope);
		Map<Long, Long> organisations = links("EpisodeOfCare", "organization", register, scope);
		Map<Long, Long> diagnoses = links("EpisodeOfCare", "primary-diagnosis", register, scope);
		Map<Long, String> diagnosisGroups = diagnosisGroups(new HashSet<>(diagnoses.values()), scope);
		entryPatients.forEach((entry, patient) -> {
			if (starts.get(entry) == null || NOT_ON_REGISTER.contains(statuses.getOrDefault(entry, "active"))) {
				return;
			}
			Long condition = diagnoses.get(entry);
			String group = (condition != null) ? diagnosisGroups.getOrDefault(condition, Stratifier.NOT_RECORDED)
					: Stratifier.NOT_RECORDED;
			Long organisation = organisations.get(entry);
			people.get(patient).entries.add(new PersonFacts.RegisterEntry(starts.get(entry), ends.get(entry),
					keyWorkers.containsKey(entry), group, (organisation != null) ? odsCodes.get(organisation) : null));
		});
	}

	/** Cancer where any coding says so; non-cancer where coded otherwise. */
	private Map<Long, String> diagnosisGroups(Set<Long> conditions, Scope scope) {
		Map<Long, String> groups = new HashMap<>();
		if (conditions.isEmpty()) {
			return groups;
		}
		java.util.function.BiConsumer<Long, Boolean> classify = (condition, cancer) -> {
			if (cancer) {
				groups.put(condition, "cancer");
			}
			else {
				groups.putIfAbsent(condition, "non-cancer");
			}
		};
		valuesOfSystem("Condition", "code", Systems.SNOMED, scope).forEach((condition, code) -> {
			if (conditions.contains(condition)) {
				classify.accept(condition, DiagnosisGroup.snomedCancer(code));
			}
		});
		valuesOfSystem("Condition", "code", DiagnosisGroup.ICD10, scope).forEach((condition, code) -> {
			if (conditions.contains(condition)) {
				classify.accept(condition, DiagnosisGroup.icd10Cancer(code));
			}
		});
		return groups;
	}

	private void carePlans(Map<Long, PersonFacts> people, Scope scope) {
		Set<String> projectPlans = new HashSet<>(CYP_PLANS);
		projectPlans.add("acp-pcsp");
		Map<Long, String> categories = new HashMap<>(
				tokenValues("CarePlan", "category", Systems.SNOMED, Set.of("736373009"), scope));
		tokenValues("CarePlan", "category", PLAN_TYPE, projectPlans, scope).forEach((plan, code) -> {
			if (!categories.containsKey(plan) || !CYP_PLANS.contains(categories.get(plan))) {
				categories.put(plan, code);
			}
		});
		categories.keySet().retainAll(tokenResources("CarePlan", "status", null, Set.of("active"), scope));
		List<Long> hashes = new ArrayList<>(
				codes("CarePlan", "category", Systems.SNOMED, Set.of("736373009")).hashes());
		hashes.addAll(codes("CarePlan", "category", PLAN_TYPE, projectPlans).hashes());
		Map<Long, LocalDate> reviewDates = dates("CarePlan", "review-date", false, scope);
		links("CarePlan", "subject", new TokenFilter("HASH_SYS_AND_VALUE", hashes), scope).forEach((plan, patient) -> {
			PersonFacts person = people.get(patient);
			if (person == null || !categories.containsKey(plan)) {
				return;
			}
			person.advanceCarePlan = true;
			if (CYP_PLANS.contains(String.valueOf(categories.get(plan)))) {
				person.cypAdvanceCarePlan = true;
			}
			LocalDate review = reviewDates.get(plan);
			if (review != null && (person.planReviewDate == null || review.isAfter(person.planReviewDate))) {
				person.planReviewDate = review;
			}
		});
	}

	private void observations(Map<Long, PersonFacts> people, Scope scope) {
		has(people, "Observation", PREFERRED_PLACE_OF_DEATH, "status", STANDING_OBSERVATION, scope)
			.forEach((p) -> people.get(p).preferredPlaceOfDeathRecorded = true);
		Set<Long> standing = tokenResources("Observation", "status", null, STANDING_OBSERVATION, scope);
		Map<Long, String> places = tokenValues("Observation", "code", Systems.SNOMED, ACTUAL_PLACE_OF_DEATH, scope);
		places.keySet().retainAll(standing);
		Map<Long, String> achieved = tokenValues("Observation", "preferred-place-achieved", null,
				Set.of("true", "false"), scope);
		links("Observation", "subject", codes("Observation", "code", Systems.SNOMED, ACTUAL_PLACE_OF_DEATH), scope)
			.forEach((observation, patient) -> {
				PersonFacts person = people.get(patient);
				if (person == null || !places.containsKey(observation)) {
					return;
				}
				person.placeOfDeath = places.get(observation);
				if (achieved.containsKey(observation)) {
					person.preferredPlaceAchieved = Boolean.valueOf(achieved.get(observation));
				}
			});
	}

	private void emergencyAdmissions(Map<Long, PersonFacts> people, Scope scope) {
		Set<Long> inpatient = tokenResources("Encounter", "class", "http://terminology.hl7.org/CodeSystem/v3-ActCode",
				Set.of("IMP"), scope);
		inpatient.retainAll(tokenResources("Encounter", "priority",
				"http://terminology.hl7.org/CodeSystem/v3-ActPriority", Set.of("EM"), scope));
		inpatient
			.removeAll(tokenResources("Encounter", "status", null, Set.of("cancelled", "entered-in-error"), scope));
		Map<Long, LocalDate> admitted = dates("Encounter", "date", false, scope);
		links("Encounter", "subject",
				codes("Encounter", "class", "http://terminology.hl7.org/CodeSystem/v3-ActCode", Set.of("IMP")), scope)
			.forEach((encounter, patient) -> {
				PersonFacts person = people.get(patient);
				if (person != null && inpatient.contains(encounter) && admitted.get(encounter) != null) {
					person.emergencyAdmissions.add(admitted.get(encounter));
				}
			});
	}

	/**
	 * The people (of those given) with a resource of the type whose code is one of these
	 * SNOMED CT codes and whose status parameter is one of these values.
	 */
	private Set<Long> has(Map<Long, PersonFacts> people, String type, Set<String> codes, String statusParam,
			Set<String> statuses, Scope scope) {
		Set<Long> found = tokenResources(type, "code", Systems.SNOMED, codes, scope);
		found.retainAll(tokenResources(type, statusParam, null, statuses, scope));
		return links(type, "subject", codes(type, "code", Systems.SNOMED, codes), scope).entrySet()
			.stream()
			.filter((link) -> found.contains(link.getKey()) && people.containsKey(link.getValue()))
			.map(Map.Entry::getValue)
			.collect(Collectors.toSet());
	}

	private static <T> java.util.function.BiConsumer<Long, T> ifKnown(Map<Long, PersonFacts> people,
			java.util.function.BiConsumer<PersonFacts, T> set) {
		return (id, value) -> {
			PersonFacts person = people.get(id);
			if (person != null) {
				set.accept(person, value);
			}
		};
	}

	// --- the queries

	/**
	 * Resources with one of the token values; without a system, by value alone (how HAPI
	 * indexes a code element is its business, the value is ours).
	 */
	private Set<Long> tokenResources(String type, String param, String system, Set<String> values, Scope scope) {
		return new HashSet<>(tokenHashes(type, param, system, values, scope).keySet());
	}

	/** Resource → which hash matched (the last one, when several do). */
	private Map<Long, Long> tokenHashes(String type, String param, String system, Set<String> values, Scope scope) {
		Map<Long, Long> found = new HashMap<>();
		List<Long> hashes = new ArrayList<>();
		for (String value : values) {
			hashes.add((system != null) ? systemAndValue(type, param, system, value) : valueOnly(type, param, value));
		}
		String column = (system != null) ? "HASH_SYS_AND_VALUE" : "HASH_VALUE";
		this.jdbc.query("SELECT RES_ID, " + column + " FROM HFJ_SPIDX_TOKEN WHERE " + column + " IN ("
				+ marks(hashes.size()) + ")" + Scope.within(scope, "RES_ID"), (row) -> {
					found.put(row.getLong(1), row.getLong(2));
				}, hashes.toArray());
		return found;
	}

	/** Resource → the value of the token that matched. */
	private Map<Long, String> tokenValues(String type, String param, String system, Set<String> values, Scope scope) {
		Map<Long, String> valueOfHash = new HashMap<>();
		for (String value : values) {
			valueOfHash.put(
					(system != null) ? systemAndValue(type, param, system, value) : valueOnly(type, param, value),
					value);
		}
		Map<Long, String> found = new HashMap<>();
		tokenHashes(type, param, system, values, scope)
			.forEach((resource, hash) -> found.put(resource, valueOfHash.get(hash)));
		return found;
	}

	/** Resource → the value of its token in the code system. */
	private Map<Long, String> valuesOfSystem(String type, String param, String system, Scope scope) {
		long hash = ResourceIndexedSearchParamToken.calculateHashSystem(this.partitionSettings,
				RequestPartitionId.defaultPartition(), type, param, system);
		Map<Long, String> found = new HashMap<>();
		this.jdbc.query(
				"SELECT RES_ID, SP_VALUE FROM HFJ_SPIDX_TOKEN WHERE HASH_SYS = ?" + Scope.within(scope, "RES_ID"),
				(row) -> {
					found.put(row.getLong(1), row.getString(2));
				}, hash);
		return found;
	}

	/**
	 * Resource → the first day (or, with {@code high}, the last day; null when open) of
	 * its date parameter, as HAPI's day ordinal (yyyymmdd) holds it.
	 */
	private Map<Long, LocalDate> dates(String type, String param, boolean high, Scope scope) {
		long identity = BaseResourceIndexedSearchParam.calculateHashIdentity(this.partitionSettings,
				RequestPartitionId.defaultPartition(), type, param);
		String column = high ? "SP_VALUE_HIGH_DATE_ORDINAL" : "SP_VALUE_LOW_DATE_ORDINAL";
		Map<Long, LocalDate> found = new HashMap<>();
		this.jdbc.query("SELECT RES_ID, " + column + " FROM HFJ_SPIDX_DATE WHERE HASH_IDENTITY = ?"
				+ Scope.within(scope, "RES_ID"), (row) -> {
					int ordinal = row.getInt(2);
					if (!row.wasNull()) {
						LocalDate day = day(ordinal);
						if (day != null) {
							found.merge(row.getLong(1), day,
									(a, b) -> high ? (a.isAfter(b) ? a : b) : (a.isBefore(b) ? a : b));
						}
					}
				}, identity);
		return found;
	}

	/** A day ordinal, or null for HAPI's stand-ins for an open end. */
	static LocalDate day(int ordinal) {
		int year = ordinal / 10_000;
		if (year < 1 || year >= 9000) {
			return null;
		}
		return LocalDate.of(year, (ordinal / 100) % 100, ordinal % 100);
	}

	private Map<Long, Integer> numbers(String type, String param, Scope scope) {
		long identity = BaseResourceIndexedSearchParam.calculateHashIdentity(this.partitionSettings,
				RequestPartitionId.defaultPartition(), type, param);
		Map<Long, Integer> found = new HashMap<>();
		this.jdbc.query(
				"SELECT RES_ID, SP_VALUE FROM HFJ_SPIDX_NUMBER WHERE HASH_IDENTITY = ?" + Scope.within(scope, "RES_ID"),
				(row) -> {
					java.math.BigDecimal value = row.getBigDecimal(2);
					if (value != null) {
						found.put(row.getLong(1), value.intValue());
					}
				}, identity);
		return found;
	}

	/**
	 * Source → target of the reference parameter, for the sources that have one of the
	 * token hashes (all sources when null), filtered in the database so that only the
	 * links asked about are read. HAPI keeps a link's path, not its parameter's name, so
	 * the parameter's paths are asked of the registry.
	 */
	private Map<Long, Long> links(String type, String param, TokenFilter sources, Scope scope) {
		Map<Long, Long> found = new HashMap<>();
		RuntimeSearchParam definition = this.searchParams.getActiveSearchParam(type, param,
				SearchParamLookupContextEnum.ALL);
		if (definition == null) {
			throw new IllegalStateException("no search parameter " + type + ":" + param);
		}
		List<String> paths = Arrays.stream(definition.getPath().split("\\|")).map(String::trim).toList();
		List<Object> arguments = new ArrayList<>();
		arguments.add(type);
		arguments.addAll(paths);
		String sql = "SELECT l.SRC_RESOURCE_ID, l.TARGET_RESOURCE_ID FROM HFJ_RES_LINK l WHERE l.SOURCE_RESOURCE_TYPE = ?"
				+ " AND l.SRC_PATH IN (" + marks(paths.size()) + ") AND l.TARGET_RESOURCE_ID IS NOT NULL"
				+ Scope.within(scope, "l.SRC_RESOURCE_ID");
		if (sources != null) {
			sql += " AND l.SRC_RESOURCE_ID IN (SELECT t.RES_ID FROM HFJ_SPIDX_TOKEN t WHERE t." + sources.column()
					+ " IN (" + marks(sources.hashes().size()) + "))";
			arguments.addAll(sources.hashes());
		}
		this.jdbc.query(sql, (row) -> {
			found.put(row.getLong(1), row.getLong(2));
		}, arguments.toArray());
		return found;
	}

	/** Resources with one of these token hashes, in the named hash column. */
	private record TokenFilter(String column, List<Long> hashes) {
	}

	private TokenFilter codes(String type, String param, String system, Set<String> values) {
		return new TokenFilter("HASH_SYS_AND_VALUE",
				values.stream().map((value) -> systemAndValue(type, param, system, value)).toList());
	}

	private long systemAndValue(String type, String param, String system, String value) {
		return ResourceIndexedSearchParamToken.calculateHashSystemAndValue(this.partitionSettings,
				RequestPartitionId.defaultPartition(), type, param, system, value);
	}

	private long valueOnly(String type, String param, String value) {
		return ResourceIndexedSearchParamToken.calculateHashValue(this.partitionSettings,
				RequestPartitionId.defaultPartition(), type, param, value);
	}

	private static String marks(int count) {
		return String.join(",", java.util.Collections.nCopies(Math.max(count, 1), "?"));
	}

}
