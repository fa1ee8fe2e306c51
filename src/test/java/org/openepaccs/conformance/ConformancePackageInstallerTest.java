package org.openepaccs.conformance;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which package version a replica leaves installed during a rolling update: a replica of
 * the old build never puts its older package back over a newer one.
 */
class ConformancePackageInstallerTest {

	@Test
	void aVersionIsNewerByItsNumbersNotItsText() {
		assertThat(ConformancePackageInstaller.isNewer("0.10.0", "0.9.3")).isTrue();
		assertThat(ConformancePackageInstaller.isNewer("0.9.3", "0.10.0")).isFalse();
		assertThat(ConformancePackageInstaller.isNewer("1.0.0", "0.99.99")).isTrue();
		assertThat(ConformancePackageInstaller.isNewer("0.2", "0.1.9")).isTrue();
		assertThat(ConformancePackageInstaller.isNewer("0.1.0", "0.1")).as("the same version").isFalse();
		assertThat(ConformancePackageInstaller.isNewer("0.1.0", "0.1.0")).isFalse();
		assertThat(ConformancePackageInstaller.isNewer("0.2.0-snapshot", "0.1.0")).isTrue();
	}

}
