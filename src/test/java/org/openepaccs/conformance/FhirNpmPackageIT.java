package org.openepaccs.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build leaves the conformance package as a FHIR NPM tarball as FHIR package tools
 * expect it: every conformance resource under {@code package/} with its snapshot, the
 * examples under {@code package/example/}, an {@code .index.json} that lists each, and
 * the same bytes whenever it is written from the same sources.
 */
class FhirNpmPackageIT {

	private static final Path TARBALL = Path.of("target", "org.openepaccs.peolc.tgz");

	private static final ObjectMapper json = new ObjectMapper();

	@Test
	void theTarballHoldsThePackageWithSnapshots() throws IOException {
		Map<String, byte[]> entries = entries(TARBALL);

		assertThat(entries).containsKeys("package/package.json", "package/README.md", "package/.index.json",
				"package/example/.index.json", "package/example/Bundle-margaret-record.json",
				"package/example/Bundle-margaret-summary.json");
		try (Stream<Path> profiles = Files.list(Path.of("profiles"))) {
			profiles.filter((path) -> path.toString().endsWith(".json"))
				.forEach((path) -> assertThat(entries).containsKey("package/" + path.getFileName()));
		}
		entries.forEach((name, bytes) -> {
			if (name.startsWith("package/StructureDefinition-")) {
				assertThat(read(bytes).path("snapshot").path("element").size()).as(name).isPositive();
			}
		});
	}

	@Test
	void theIndexListsEveryResourceOfEachFolder() throws IOException {
		Map<String, byte[]> entries = entries(TARBALL);

		for (String folder : new String[] { "package/", "package/example/" }) {
			JsonNode index = read(entries.get(folder + ".index.json"));
			assertThat(index.path("index-version").asInt()).isEqualTo(2);
			Map<String, JsonNode> listed = new TreeMap<>();
			index.path("files").forEach((file) -> listed.put(file.path("filename").asText(), file));
			entries.forEach((name, bytes) -> {
				String file = name.substring(folder.length());
				if (name.startsWith(folder) && !file.contains("/") && file.endsWith(".json")
						&& !file.equals("package.json") && !file.equals(".index.json")) {
					JsonNode resource = read(bytes);
					assertThat(listed).as(name).containsKey(file);
					JsonNode entry = listed.get(file);
					assertThat(entry.path("resourceType").asText()).as(name)
						.isEqualTo(resource.path("resourceType").asText());
					assertThat(entry.path("id").asText()).as(name).isEqualTo(resource.path("id").asText());
					assertThat(entry.path("url").asText()).as(name).isEqualTo(resource.path("url").asText());
				}
			});
		}
	}

	/**
	 * The server reads the package from its classpath: there it must carry the same
	 * snapshots, or every start generates them again (a fifth of a start's processor
	 * time).
	 */
	@Test
	void theApplicationsClasspathHoldsTheSameResourcesWithTheirSnapshots() throws IOException {
		Map<String, byte[]> entries = entries(TARBALL);
		Path classpathPackage = Path.of("target", "classes", "fhir-package");

		try (Stream<Path> profiles = Files.list(Path.of("profiles"))) {
			profiles.filter((path) -> path.toString().endsWith(".json") && !path.endsWith("package.json"))
				.forEach((path) -> assertThat(classpathPackage.resolve(path.getFileName())).as(path.toString())
					.hasBinaryContent(entries.get("package/" + path.getFileName())));
		}
	}

	/**
	 * The installer keeps a hash of the package's resources as the server holds them: a
	 * server that read the build's snapshots must hash as one that generated them (a
	 * build before snapshots were on the class path), or a rolling update reinstalls the
	 * package.
	 */
	@Test
	void theServerHoldsThePackageAsIfItHadGeneratedTheSnapshotsItself() throws IOException {
		FhirContext fhir = FhirContext.forR4Cached();
		List<IBaseResource> differentials = new ArrayList<>();
		try (Stream<Path> profiles = Files.list(Path.of("profiles"))) {
			for (Path path : profiles.filter((p) -> p.toString().endsWith(".json") && !p.endsWith("package.json"))
				.toList()) {
				differentials.add(fhir.newJsonParser().parseResource(Files.readString(path)));
			}
		}
		ConformancePackage read = ConformancePackage.fromClasspath(fhir);

		ConformancePackage generated = ConformancePackage.build(fhir, read.name(), read.version(), differentials);

		IParser json = fhir.newJsonParser();
		assertThat(read.resources()).extracting(json::encodeResourceToString)
			.containsExactlyElementsOf(generated.resources().stream().map(json::encodeResourceToString).toList());
	}

	@Test
	void writingThePackageAgainGivesTheSameBytes(@TempDir Path folder) throws IOException {
		Path again = folder.resolve("again.tgz");

		NpmPackageWriter.write(Path.of("profiles"), again);

		assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(TARBALL));
	}

	private static Map<String, byte[]> entries(Path tarball) throws IOException {
		Map<String, byte[]> entries = new TreeMap<>();
		try (InputStream file = Files.newInputStream(tarball);
				TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
			for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
				ByteArrayOutputStream bytes = new ByteArrayOutputStream();
				tar.transferTo(bytes);
				entries.put(entry.getName(), bytes.toByteArray());
			}
		}
		return entries;
	}

	private static JsonNode read(byte[] bytes) {
		try {
			return json.readTree(new String(bytes, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
