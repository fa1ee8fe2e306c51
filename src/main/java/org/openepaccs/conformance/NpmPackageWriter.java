package org.openepaccs.conformance;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.utilities.npm.NpmPackageIndexBuilder;

/**
 * Writes {@code profiles/} as a FHIR NPM package tarball: the conformance resources with
 * the snapshots the server itself generates, the examples under {@code package/example},
 * and an {@code .index.json} per folder made by the FHIR core library's own index
 * builder. The tarball is the same bytes on every build of the same sources: entries in
 * name order, one fixed time (the one {@code npm pack} uses), no owner, and a gzip header
 * without a time or an operating system.
 * <p>
 * Run by the build ({@code pom.xml}) with the profiles folder and the tarball to write as
 * arguments, and the package folder on the application's classpath as a third: the same
 * snapshotted resources replace the differential-only copies there, so that a server
 * starts without generating snapshots (a fifth of its start-up's processor time when it
 * did).
 */
public final class NpmPackageWriter {

	/** The time {@code npm pack} gives every entry, for the same reason. */
	static final long ENTRY_TIME_MILLIS = 499_162_500_000L;

	private NpmPackageWriter() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 2 && args.length != 3) {
			throw new IllegalArgumentException(
					"usage: NpmPackageWriter <profiles folder> <tarball to write> [classpath package folder]");
		}
		Map<String, byte[]> entries = write(Path.of(args[0]), Path.of(args[1]));
		if (args.length == 3) {
			writeConformanceResources(entries, Path.of(args[2]));
		}
	}

	/**
	 * The package's conformance resources, snapshots included, into a folder of files
	 * named as in {@code profiles/}.
	 */
	static void writeConformanceResources(Map<String, byte[]> entries, Path folder) throws IOException {
		Files.createDirectories(folder);
		for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
			String name = entry.getKey().substring("package/".length());
			if (entry.getKey().startsWith("package/") && name.endsWith(".json") && !name.contains("/")
					&& !name.startsWith(".") && !"package.json".equals(name)) {
				Files.write(folder.resolve(name), entry.getValue());
			}
		}
	}

	static Map<String, byte[]> write(Path profiles, Path tarball) throws IOException {
		Map<String, byte[]> entries = entries(profiles, FhirContext.forR4Cached());
		Files.createDirectories(tarball.toAbsolutePath().getParent());
		GzipParameters gzip = new GzipParameters();
		gzip.setModificationTime(0);
		gzip.setOperatingSystem(255);
		gzip.setCompressionLevel(9);
		try (OutputStream file = Files.newOutputStream(tarball);
				TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file, gzip),
						StandardCharsets.UTF_8.name())) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
			for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
				TarArchiveEntry header = new TarArchiveEntry(entry.getKey(), true);
				header.setSize(entry.getValue().length);
				header.setModTime(ENTRY_TIME_MILLIS);
				header.setMode(0100644);
				header.setIds(0, 0);
				header.setNames("", "");
				tar.putArchiveEntry(header);
				tar.write(entry.getValue());
				tar.closeArchiveEntry();
			}
			tar.finish();
		}
		return entries;
	}

	/**
	 * Every file of the package by its path in the tarball, in name order.
	 */
	static Map<String, byte[]> entries(Path profiles, FhirContext fhir) throws IOException {
		byte[] manifest = Files.readAllBytes(profiles.resolve("package.json"));
		JsonNode npm = new ObjectMapper().readTree(manifest);

		Map<String, byte[]> conformance = new TreeMap<>();
		List<IBaseResource> parsed = new ArrayList<>();
		Map<String, String> fileOf = new TreeMap<>();
		for (Path file : jsonFiles(profiles)) {
			String name = file.getFileName().toString();
			if (!"package.json".equals(name)) {
				IBaseResource resource = fhir.newJsonParser().parseResource(Files.readString(file));
				parsed.add(resource);
				fileOf.put(key(resource), name);
			}
		}
		ConformancePackage built = ConformancePackage.build(fhir, npm.path("name").asText(),
				npm.path("version").asText(), parsed);
		for (IBaseResource resource : built.resources()) {
			String json = fhir.newJsonParser().setPrettyPrint(true).encodeResourceToString(resource) + "\n";
			conformance.put(fileOf.get(key(resource)), json.getBytes(StandardCharsets.UTF_8));
		}

		Map<String, byte[]> examples = new TreeMap<>();
		for (Path file : jsonFiles(profiles.resolve("examples"))) {
			examples.put(file.getFileName().toString(), Files.readAllBytes(file));
		}

		Map<String, byte[]> entries = new TreeMap<>();
		entries.put("package/package.json", manifest);
		entries.put("package/README.md", Files.readAllBytes(profiles.resolve("README.md")));
		entries.put("package/.index.json", index(conformance));
		conformance.forEach((name, bytes) -> entries.put("package/" + name, bytes));
		entries.put("package/example/.index.json", index(examples));
		examples.forEach((name, bytes) -> entries.put("package/example/" + name, bytes));
		return entries;
	}

	private static byte[] index(Map<String, byte[]> files) {
		NpmPackageIndexBuilder index = new NpmPackageIndexBuilder();
		index.start(null);
		files.forEach(index::seeFile);
		return (index.build() + "\n").getBytes(StandardCharsets.UTF_8);
	}

	private static String key(IBaseResource resource) {
		return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
	}

	private static List<Path> jsonFiles(Path folder) throws IOException {
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter((file) -> file.getFileName().toString().endsWith(".json")).sorted().toList();
		}
	}

}
