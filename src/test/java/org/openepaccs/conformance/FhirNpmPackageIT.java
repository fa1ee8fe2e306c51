package org.openepaccs.conformance;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build leaves the conformance package as a FHIR NPM tarball that holds every
 * conformance resource and example under {@code package/}, as FHIR package tools expect.
 */
class FhirNpmPackageIT {

	@Test
	void theTarballHoldsThePackage() throws Exception {
		Set<String> entries = new HashSet<>();
		try (InputStream file = Files.newInputStream(Path.of("target", "org.openepaccs.peolc.tgz"));
				TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
			for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
				entries.add(entry.getName());
			}
		}
		assertThat(entries).contains("package/package.json", "package/README.md",
				"package/examples/Bundle-margaret-record.json");
		try (Stream<Path> profiles = Files.list(Path.of("profiles"))) {
			profiles.filter((path) -> path.toString().endsWith(".json"))
				.forEach((path) -> assertThat(entries).contains("package/" + path.getFileName()));
		}
	}

}
