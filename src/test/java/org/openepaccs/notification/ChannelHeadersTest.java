package org.openepaccs.notification;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelHeadersTest {

	@Test
	void everythingAfterTheColonIsMasked() {
		assertThat(ChannelHeaders.masked("Authorization: Bearer secret")).isEqualTo("Authorization: ***");
		assertThat(ChannelHeaders.masked("X-Api-Key:secret:with:colons")).isEqualTo("X-Api-Key: ***");
		assertThat(ChannelHeaders.masked("no colon, all secret")).isEqualTo("***");
		assertThat(ChannelHeaders.isMasked("Authorization: ***")).isTrue();
		assertThat(ChannelHeaders.isMasked("Authorization:***")).isTrue();
		assertThat(ChannelHeaders.isMasked("Authorization: Bearer ***")).isFalse();
	}

	@Test
	void aHeaderIsATokenNameAndAPrintableValue() {
		assertThat(ChannelHeaders.problem("Authorization: Bearer abc.def-ghi")).isNull();
		assertThat(ChannelHeaders.problem("X-Empty:")).isNull();
		assertThat(ChannelHeaders.problem("X-Tab: a\tb")).isNull();
		assertThat(ChannelHeaders.problem("Authorization: Bearer x\r\nX-Evil: 1")).contains("line break");
		assertThat(ChannelHeaders.problem("Authorization: Bearer x\nX-Evil: 1")).contains("line break");
		assertThat(ChannelHeaders.problem("Authorization: a\u0000b")).contains("control");
		assertThat(ChannelHeaders.problem("Authorization: caf\u00e9")).contains("non-ASCII");
		assertThat(ChannelHeaders.problem("Authorization : x")).contains("field name");
		assertThat(ChannelHeaders.problem("Bad Name: x")).contains("field name");
		assertThat(ChannelHeaders.problem(": x")).contains("Name: value");
		assertThat(ChannelHeaders.problem("just a token")).contains("Name: value");
		assertThat(ChannelHeaders.problem("")).contains("empty");
		assertThat(ChannelHeaders.problem("Host: elsewhere.example")).contains("sets itself");
		assertThat(ChannelHeaders.problem("x-subscription: Subscription/1")).contains("sets itself");
		assertThat(ChannelHeaders.problem("X-Long: " + "a".repeat(ChannelHeaders.LONGEST_VALUE + 1)))
			.contains("longer");
		assertThat(ChannelHeaders.problem("X-" + "n".repeat(100) + ": v")).contains("name longer than 100");
	}

	@Test
	void aProblemNeverRepeatsTheValue() {
		assertThat(ChannelHeaders.problem("Authorization: Bearer s3cret\r\n")).doesNotContain("s3cret");
		assertThat(ChannelHeaders.problem("Bearer s3cret x: y")).doesNotContain("s3cret");
	}

}
