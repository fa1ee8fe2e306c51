package org.openepaccs.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TagExclusionAsNotExistsTest {

	private static final String LABEL = "((t1.TAG_TYPE = ?) AND (t1.TAG_SYSTEM = ?) AND (t1.TAG_CODE = ?))";

	/** As HAPI 8.8 sent it for a search by reference with one label excluded. */
	private static final String AS_HAPI_SENDS_IT = "SELECT t1.RES_ID FROM HFJ_RESOURCE t1 INNER JOIN HFJ_RES_LINK t0"
			+ " ON (t1.RES_ID = t0.SRC_RESOURCE_ID) WHERE (((t0.SRC_PATH = ?) AND (t0.TARGET_RESOURCE_ID = ?))"
			+ " AND (t1.RES_ID NOT IN (SELECT t0.RES_ID FROM HFJ_RES_TAG t0 INNER JOIN HFJ_TAG_DEF t1"
			+ " ON (t0.TAG_ID = t1.TAG_ID) WHERE ((t1.TAG_TYPE = ?) AND (t1.TAG_SYSTEM = ?) AND (t1.TAG_CODE = ?)))"
			+ " )) fetch first ? rows only";

	private static final String REGISTER_PAGE = "SELECT t0.RES_ID FROM HFJ_SPIDX_TOKEN t0 WHERE (((t0.HASH_VALUE = ?)"
			+ " AND (t0.RES_ID NOT IN (SELECT t0.RES_ID FROM HFJ_RES_TAG t0 INNER JOIN HFJ_TAG_DEF t1"
			+ " ON (t0.TAG_ID = t1.TAG_ID) WHERE (" + LABEL + " OR " + LABEL + ")) ))) ORDER BY t0.RES_ID"
			+ " fetch first ? rows only";

	private final TagExclusionAsNotExists inspector = new TagExclusionAsNotExists();

	@Test
	void theSubqueryHapiSendsIsCorrelatedWithTheOuterResourceNotWithItsOwnShadowingAliases() {
		assertThat(this.inspector.inspect(AS_HAPI_SENDS_IT)).isEqualTo("SELECT t1.RES_ID FROM HFJ_RESOURCE t1"
				+ " INNER JOIN HFJ_RES_LINK t0 ON (t1.RES_ID = t0.SRC_RESOURCE_ID) WHERE (((t0.SRC_PATH = ?)"
				+ " AND (t0.TARGET_RESOURCE_ID = ?)) AND (NOT EXISTS (SELECT 1 FROM HFJ_RES_TAG xt0"
				+ " INNER JOIN HFJ_TAG_DEF xt1 ON (xt0.TAG_ID = xt1.TAG_ID) WHERE (xt0.RES_ID = t1.RES_ID) AND"
				+ " (((xt1.TAG_TYPE = ?) AND (xt1.TAG_SYSTEM = ?) AND (xt1.TAG_CODE = ?)))) )) fetch first ? rows only");
	}

	@Test
	void anExclusionOfSeveralLabelsIsSentAsACorrelatedNotExistsWithItsPlaceholdersInOrder() {
		String sent = this.inspector.inspect(REGISTER_PAGE);
		assertThat(sent).isEqualTo("SELECT t0.RES_ID FROM HFJ_SPIDX_TOKEN t0 WHERE (((t0.HASH_VALUE = ?)"
				+ " AND (NOT EXISTS (SELECT 1 FROM HFJ_RES_TAG xt0 INNER JOIN HFJ_TAG_DEF xt1"
				+ " ON (xt0.TAG_ID = xt1.TAG_ID) WHERE (xt0.RES_ID = t0.RES_ID) AND (("
				+ "((xt1.TAG_TYPE = ?) AND (xt1.TAG_SYSTEM = ?) AND (xt1.TAG_CODE = ?)) OR "
				+ "((xt1.TAG_TYPE = ?) AND (xt1.TAG_SYSTEM = ?) AND (xt1.TAG_CODE = ?))"
				+ "))) ))) ORDER BY t0.RES_ID fetch first ? rows only");
		assertThat(sent.chars().filter((c) -> c == '?')).hasSize(8);
	}

	@Test
	void everyExclusionOfOneStatementIsRewrittenAgainstItsOwnOuterColumn() {
		String twice = "SELECT t2.SRC_RESOURCE_ID FROM HFJ_RES_LINK t2 WHERE ((t2.SRC_RESOURCE_ID NOT IN (SELECT"
				+ " t0.RES_ID FROM HFJ_RES_TAG t0 INNER JOIN HFJ_TAG_DEF t1 ON (t0.TAG_ID = t1.TAG_ID) WHERE " + LABEL
				+ ") ) AND (t2.SRC_RESOURCE_ID NOT IN (SELECT t0.RES_ID FROM HFJ_RES_TAG t0 INNER JOIN HFJ_TAG_DEF t1"
				+ " ON (t0.TAG_ID = t1.TAG_ID) WHERE ((t1.TAG_TYPE = ?) AND (t1.TAG_CODE LIKE ?))) ))";
		String sent = this.inspector.inspect(twice);
		assertThat(sent).doesNotContain("NOT IN")
			.contains("WHERE (xt0.RES_ID = t2.SRC_RESOURCE_ID) AND (((xt1.TAG_TYPE = ?) AND (xt1.TAG_CODE LIKE ?)))")
			.startsWith(
					"SELECT t2.SRC_RESOURCE_ID FROM HFJ_RES_LINK t2 WHERE ((NOT EXISTS (SELECT 1 FROM HFJ_RES_TAG xt0");
		assertThat(sent.chars().filter((c) -> c == '?')).hasSize(5);
	}

	@Test
	void anExclusionOfThousandsOfLabelsIsRewrittenToo() {
		String labels = String.join(" OR ", java.util.Collections.nCopies(5_000, LABEL));
		String sql = "SELECT t0.RES_ID FROM HFJ_RESOURCE t0 WHERE (t0.RES_ID NOT IN (SELECT t0.RES_ID FROM HFJ_RES_TAG"
				+ " t0 INNER JOIN HFJ_TAG_DEF t1 ON (t0.TAG_ID = t1.TAG_ID) WHERE (" + labels + ")) )";
		String sent = this.inspector.inspect(sql);
		assertThat(sent).doesNotContain("NOT IN").doesNotContain("(t1.TAG_").contains("(xt1.TAG_CODE = ?)");
		assertThat(sent.chars().filter((c) -> c == '?')).hasSize(15_000);
	}

	@Test
	void anySubqueryNotOfExactlyThatShapeIsSentAsItIs() {
		String withPartition = "SELECT t0.RES_ID FROM HFJ_RESOURCE t0 WHERE (t0.RES_ID NOT IN (SELECT t0.RES_ID FROM"
				+ " HFJ_RES_TAG t0 INNER JOIN HFJ_TAG_DEF t1 ON (t0.TAG_ID = t1.TAG_ID) WHERE (((t1.TAG_TYPE = ?)"
				+ " AND (t0.PARTITION_ID = ?))) ))";
		String withLiteral = "SELECT t0.RES_ID FROM HFJ_RESOURCE t0 WHERE (t0.RES_ID NOT IN (SELECT t0.RES_ID FROM"
				+ " HFJ_RES_TAG t0 INNER JOIN HFJ_TAG_DEF t1 ON (t0.TAG_ID = t1.TAG_ID) WHERE ((t1.TAG_CODE = ')')) ))";
		String cutShort = "SELECT t0.RES_ID FROM HFJ_RESOURCE t0 WHERE (t0.RES_ID NOT IN (SELECT t0.RES_ID FROM"
				+ " HFJ_RES_TAG t0 INNER JOIN HFJ_TAG_DEF t1 ON (t0.TAG_ID = t1.TAG_ID) WHERE ((t1.TAG_CODE = ?)";
		String tokenNot = "SELECT t0.RES_ID FROM HFJ_RESOURCE t0 WHERE (t0.RES_ID NOT IN (SELECT t0.RES_ID FROM"
				+ " HFJ_SPIDX_TOKEN t0 WHERE (t0.HASH_VALUE = ?)) )";
		for (String sql : new String[] { withPartition, withLiteral, cutShort, tokenNot, "SELECT 1" }) {
			assertThat(this.inspector.inspect(sql)).isEqualTo(sql);
		}
	}

}
