package org.openepaccs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link in the README and in {@code docs/} leads somewhere: the file exists
 * and, for a link to a heading ({@code file.md#heading}), the heading does too, as GitHub
 * makes anchors of headings.
 */
class DocsLinksTest {

	// [text](target), not an image's ![alt](target) nor a link inside `code`
	private static final Pattern LINK = Pattern.compile("(?<!!)\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

	private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");

	@Test
	void everyRelativeLinkInTheReadmeAndDocsResolves() throws IOException {
		List<Path> pages = new ArrayList<>();
		pages.add(Path.of("README.md"));
		try (Stream<Path> docs = Files.list(Path.of("docs"))) {
			docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
		}
		assertThat(pages).as("docs/ has pages").hasSizeGreaterThan(1);

		List<String> broken = new ArrayList<>();
		int checked = 0;
		for (Path page : pages) {
			for (String target : links(Files.readString(page))) {
				if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
					continue; // http:, https:, mailto: and the like
				}
				checked++;
				String problem = problemWith(page, target);
				if (problem != null) {
					broken.add(page + ": " + target + " (" + problem + ")");
				}
			}
		}
		assertThat(checked).as("relative links found").isGreaterThan(10);
		assertThat(broken).as("broken links").isEmpty();
	}

	@Test
	void anchorsAreMadeAsGitHubMakesThem() {
		assertThat(anchor("5. Access tokens")).isEqualTo("5-access-tokens");
		assertThat(anchor("The `server` package: HAPI wiring")).isEqualTo("the-server-package-hapi-wiring");
		assertThat(anchor("History, Provenance and notifications")).isEqualTo("history-provenance-and-notifications");
	}

	private static String problemWith(Path page, String target) throws IOException {
		int hash = target.indexOf('#');
		String file = (hash < 0) ? target : target.substring(0, hash);
		String fragment = (hash < 0) ? null : target.substring(hash + 1);
		Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
		if (!Files.exists(resolved)) {
			return "no such file";
		}
		if (fragment == null || fragment.isEmpty()) {
			return null;
		}
		if (!resolved.toString().endsWith(".md")) {
			return "an anchor in a file that is not markdown";
		}
		return anchors(Files.readString(resolved)).contains(fragment) ? null : "no such heading";
	}

	private static List<String> links(String markdown) {
		List<String> targets = new ArrayList<>();
		boolean fenced = false;
		for (String line : markdown.split("\n")) {
			if (line.strip().startsWith("```")) {
				fenced = !fenced;
				continue;
			}
			if (fenced) {
				continue;
			}
			Matcher link = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
			while (link.find()) {
				targets.add(link.group(1));
			}
		}
		return targets;
	}

	private static Set<String> anchors(String markdown) {
		Set<String> anchors = new HashSet<>();
		boolean fenced = false;
		for (String line : markdown.split("\n")) {
			if (line.strip().startsWith("```")) {
				fenced = !fenced;
				continue;
			}
			Matcher heading = HEADING.matcher(line);
			if (!fenced && heading.matches()) {
				String anchor = anchor(heading.group(1));
				String unique = anchor;
				for (int n = 1; !anchors.add(unique); n++) {
					unique = anchor + "-" + n;
				}
			}
		}
		return anchors;
	}

	/**
	 * GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
	 */
	static String anchor(String heading) {
		return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s_-]", "").replace(' ', '-');
	}

}
