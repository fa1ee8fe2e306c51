package org.openepaccs.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A newer JDK than the one running the tests, for what needs one (Keycloak needs 21, the
 * container's ahead-of-time cache 25): the JDK an environment variable names, else the
 * newest under {@code /usr/lib/jvm}, else the JDK running the tests. Under CI a missing
 * one fails the test; elsewhere the test is skipped with the reason.
 */
public final class Jdks {

	private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

	private Jdks() {
	}

	/**
	 * The home of a JDK of this version or later.
	 * @param atLeast the lowest feature version that will do
	 * @param variable the environment variable that may name one
	 * @param forWhat what needs it, for the message when there is none
	 */
	public static Path atLeast(int atLeast, String variable, String forWhat) throws IOException {
		String configured = System.getenv(variable);
		if (configured != null && !configured.isBlank()) {
			UnderCi.require(version(Path.of(configured)) >= atLeast,
					variable + "=" + configured + " is not a Java " + atLeast + " or later");
			return Path.of(configured);
		}
		List<Path> candidates = new ArrayList<>();
		Path jvms = Path.of("/usr/lib/jvm");
		if (Files.isDirectory(jvms)) {
			try (Stream<Path> listed = Files.list(jvms)) {
				candidates.addAll(listed.toList());
			}
		}
		candidates.add(Path.of(System.getProperty("java.home")));
		Optional<Path> newest = candidates.stream()
			.filter((jdk) -> version(jdk) >= atLeast && Files.isExecutable(java(jdk)))
			.max((a, b) -> Integer.compare(version(a), version(b)));
		UnderCi.require(newest.isPresent(), forWhat + " needs Java " + atLeast + " or later and none was found under "
				+ "/usr/lib/jvm; install one (e.g. Temurin 25) or set " + variable);
		return newest.get();
	}

	/** The {@code java} launcher of a JDK home. */
	public static Path java(Path jdk) {
		return jdk.resolve("bin").resolve("java");
	}

	private static int version(Path jdk) {
		try {
			Matcher version = JAVA_VERSION.matcher(Files.readString(jdk.resolve("release")));
			return version.find() ? Integer.parseInt(version.group(1)) : 0;
		}
		catch (IOException noJdk) {
			return 0;
		}
	}

}
