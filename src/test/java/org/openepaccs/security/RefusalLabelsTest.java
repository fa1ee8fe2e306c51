package org.openepaccs.security;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.openepaccs.security.RefusalLabels.Label;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalLabelsTest {

	/**
	 * For random refusals, records of one to three people and callers of every kind, a
	 * search leaves a record out exactly when one of its people's refusals does not name
	 * the caller's organisation: never shows a hidden record, never hides a visible one.
	 */
	@Test
	void aSearchLeavesOutExactlyTheRecordsHiddenFromTheCaller() {
		for (int round = 0; round < 100; round++) {
			long seed = System.nanoTime() + round;
			Random random = new Random(seed);
			int organisations = 2 + random.nextInt(60);
			List<Set<String>> custodianSets = new ArrayList<>();
			int sets = random.nextInt(400);
			for (int i = 0; i < sets; i++) {
				Set<String> custodians = new HashSet<>();
				int size = random.nextInt(4); // none: a refusal nobody may see
				for (int j = 0; j < size; j++) {
					custodians.add("O" + random.nextInt(organisations));
				}
				custodianSets.add(Set.copyOf(custodians));
			}
			List<List<Set<String>>> records = new ArrayList<>();
			List<Set<Label>> labels = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				List<Set<String>> refusals = new ArrayList<>();
				int people = 1 + random.nextInt(3);
				for (int j = 0; j < people && !custodianSets.isEmpty(); j++) {
					if (random.nextInt(3) > 0) {
						refusals.add(custodianSets.get(random.nextInt(custodianSets.size())));
					}
				}
				records.add(refusals);
				labels.add(RefusalLabels.labelsOf(refusals));
			}
			List<String> callers = new ArrayList<>();
			for (int o = 0; o < organisations; o++) {
				callers.add("O" + o);
			}
			callers.add("STRANGER");
			callers.add(null);
			for (String caller : callers) {
				Set<Label> excluded = RefusalLabels.excludedFrom(caller, custodianSets);
				for (int i = 0; i < records.size(); i++) {
					List<Set<String>> refusals = records.get(i);
					boolean hidden = refusals.stream()
						.anyMatch((custodians) -> caller == null || !custodians.contains(caller));
					boolean leftOut = !Collections.disjoint(labels.get(i), excluded);
					assertThat(leftOut)
						.as("seed %d: caller %s, record of refusals %s, %d sets", seed, caller, refusals, sets)
						.isEqualTo(hidden);
				}
			}
		}
	}

	/**
	 * What made searches slow at 100,000 people: each carried one label per practice with
	 * a refusal. Each refusal here names its practice and the GP system that loaded it,
	 * as the synthetic population does.
	 */
	@Test
	void aSearchExcludesFewLabelsHoweverManyPracticesHaveRefusals() {
		List<Set<String>> custodianSets = new ArrayList<>();
		for (int practice = 0; practice < 2_000; practice++) {
			custodianSets.add(Set.of("P" + practice, "LOADER"));
		}
		custodianSets.add(Set.of());

		assertThat(RefusalLabels.excludedFrom("OOH", custodianSets)).as("custodian of none")
			.containsExactly(RefusalLabels.ANY);
		assertThat(RefusalLabels.excludedFrom(null, custodianSets)).containsExactly(RefusalLabels.ANY);
		assertThat(RefusalLabels.excludedFrom("LOADER", custodianSets)).as("custodian of all but nobody's")
			.containsExactly(new Label(RefusalLabels.SYSTEM, "nobody"));
		// 63 other buckets, and about 2,000 / 64 sets in its own
		assertThat(RefusalLabels.excludedFrom("P7", custodianSets)).hasSizeLessThan(150);
	}

	/**
	 * Practices' ODS codes differ in a digit or two; their sets must still spread over
	 * the buckets, or a practice's search excludes the many sets sharing its bucket by
	 * name.
	 */
	@Test
	void neighbouringPracticesFallInBucketsAllOver() {
		Set<Label> buckets = new HashSet<>();
		for (int practice = 0; practice < 500; practice++) {
			buckets.add(RefusalLabels.bucketOf(String.format("Y9%04d+Y99901", practice)));
		}
		assertThat(buckets).hasSizeGreaterThanOrEqualTo(60);
	}

	@Test
	void aFewRefusalsAreExcludedByName() {
		List<Set<String>> custodianSets = List.of(Set.of("A"), Set.of("B"), Set.of("A", "C"));
		assertThat(RefusalLabels.excludedFrom("A", custodianSets))
			.containsExactly(new Label(RefusalLabels.SYSTEM, "B"));
		assertThat(RefusalLabels.excludedFrom("C", custodianSets))
			.containsExactlyInAnyOrder(new Label(RefusalLabels.SYSTEM, "A"), new Label(RefusalLabels.SYSTEM, "B"));
		assertThat(RefusalLabels.excludedFrom("D", custodianSets)).containsExactly(RefusalLabels.ANY);
		assertThat(RefusalLabels.excludedFrom("D", List.of())).isEmpty();
	}

	@Test
	void aRecordCarriesItsCustodiansItsBucketAndAny() {
		assertThat(RefusalLabels.labelsOf(List.of(Set.of("Y99902", "Y99901")))).containsExactlyInAnyOrder(
				new Label(RefusalLabels.SYSTEM, "Y99901+Y99902"), RefusalLabels.bucketOf("Y99901+Y99902"),
				RefusalLabels.ANY);
		assertThat(RefusalLabels.labelsOf(List.of())).isEmpty();
		// stored on records: the same bucket in every release and on every replica
		assertThat(RefusalLabels.bucketOf("Y99901+Y99902").code()).isEqualTo("bucket-56");
		assertThat(RefusalLabels.bucketOf("nobody").code()).isEqualTo("bucket-35");
	}

}
