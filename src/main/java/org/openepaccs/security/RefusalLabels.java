package org.openepaccs.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The security labels a stored record of a person who refused to share carries, and the
 * labels a caller's search excludes ({@code _security:not}) so that exactly the records
 * hidden from the caller are left out.
 * <p>
 * A record carries, for each refusal among its people, a label naming the refusal's
 * custodians ({@link #SYSTEM}; code: their ODS codes, or {@link #NOBODY}) and two group
 * labels ({@link #GROUPS}): {@link #ANY}, which every such record carries, and the bucket
 * of the custodian set, one of {@link #BUCKETS} fixed by its code. A record is hidden
 * from an organisation when one of its refusals does not name it, so:
 * <ul>
 * <li>an organisation that is custodian of no refusal (an out-of-hours service, a SPOC
 * hub, a caller without an organisation) excludes {@code any}: one label, however many
 * practices have refusals;</li>
 * <li>a custodian excludes every bucket holding none of its sets, and in the buckets that
 * hold one of its sets, the other sets that do not name it; or simply every set not
 * naming it, when that list is shorter.</li>
 * </ul>
 * Excluding one label per custodian set instead would make each search of an out-of-hours
 * clinician carry one label per practice with a refusal (504 at 100,000 people): HAPI's
 * SQL builder costs time quadratic in a statement's bind parameters (three per label),
 * and PostgreSQL's protocol carries at most 65,535 of them.
 * <p>
 * A label left on a record whose refusal has since gone (until the record is relabelled)
 * can only hide it from more callers, never fewer.
 */
final class RefusalLabels {

	/** Who may still see a record of a person who refused to share: ODS codes. */
	static final String SYSTEM = "https://fhir.openepaccs.org/CodeSystem/restricted-to";

	/** The groups of refusals a record belongs to, so searches exclude few labels. */
	static final String GROUPS = "https://fhir.openepaccs.org/CodeSystem/restricted-group";

	/** The code of a refusal that names no custodian: nobody may see it. */
	static final String NOBODY = "nobody";

	/** The group label every record of a person who refused carries. */
	static final Label ANY = new Label(GROUPS, "any");

	/**
	 * How many buckets custodian sets are spread over. Stored records carry their bucket,
	 * so this and {@link #bucketOf} never change without relabelling every refusal.
	 */
	static final int BUCKETS = 64;

	private RefusalLabels() {
	}

	/** A security label: system and code. */
	record Label(String system, String code) {
	}

	/** The code of a refusal whose custodians are these ODS codes. */
	static String codeFor(Set<String> custodians) {
		return custodians.isEmpty() ? NOBODY : String.join("+", new TreeSet<>(custodians));
	}

	/**
	 * The bucket label of a custodian set's code, from the first byte of its SHA-256: the
	 * same on every replica and in every release, and spread evenly over the buckets
	 * however alike the codes are ({@link String#hashCode} put the codes of neighbouring
	 * ODS codes in neighbouring buckets, 498 sets in 44 of the 64).
	 */
	static Label bucketOf(String setCode) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(setCode.getBytes(StandardCharsets.UTF_8));
			return bucket(Byte.toUnsignedInt(digest[0]) % BUCKETS);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java platform has SHA-256", ex);
		}
	}

	private static Label bucket(int number) {
		return new Label(GROUPS, "bucket-" + number);
	}

	/**
	 * The labels of a record whose people have these refusals (their custodian sets);
	 * none when nobody among them refused.
	 */
	static Set<Label> labelsOf(Collection<Set<String>> refusals) {
		Set<Label> labels = new HashSet<>();
		for (Set<String> custodians : refusals) {
			String code = codeFor(custodians);
			labels.add(new Label(SYSTEM, code));
			labels.add(bucketOf(code));
			labels.add(ANY);
		}
		return labels;
	}

	/**
	 * The labels a search by this organisation (null: a caller without one) excludes,
	 * given the custodian sets of every current refusal: a record is left out exactly
	 * when one of its refusals does not name the organisation.
	 */
	static Set<Label> excludedFrom(String organisation, Collection<Set<String>> custodianSets) {
		Set<Label> bySet = excludedBySet(organisation, custodianSets);
		if (bySet.isEmpty()) {
			return bySet;
		}
		Set<Label> ownBuckets = new HashSet<>();
		for (Set<String> custodians : custodianSets) {
			if (organisation != null && custodians.contains(organisation)) {
				ownBuckets.add(bucketOf(codeFor(custodians)));
			}
		}
		if (ownBuckets.isEmpty()) {
			return Set.of(ANY);
		}
		Set<Label> byBucket = new HashSet<>();
		for (int bucket = 0; bucket < BUCKETS; bucket++) {
			Label label = bucket(bucket);
			if (!ownBuckets.contains(label)) {
				byBucket.add(label);
			}
		}
		for (Label set : bySet) {
			if (ownBuckets.contains(bucketOf(set.code()))) {
				byBucket.add(set);
			}
		}
		return (bySet.size() <= byBucket.size()) ? bySet : byBucket;
	}

	/**
	 * The custodians' labels of every refusal not naming the organisation: what leaves
	 * out a record that carries no group labels yet (labelled by an earlier release).
	 */
	static Set<Label> excludedBySet(String organisation, Collection<Set<String>> custodianSets) {
		Set<Label> labels = new HashSet<>();
		for (Set<String> custodians : custodianSets) {
			if (organisation == null || !custodians.contains(organisation)) {
				labels.add(new Label(SYSTEM, codeFor(custodians)));
			}
		}
		return labels;
	}

}
