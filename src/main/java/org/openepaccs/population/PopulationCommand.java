package org.openepaccs.population;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar epaccs.jar population --server http://localhost:8080 --people 10000}:
 * makes the synthetic population and loads it into a running server. The options:
 * <ul>
 * <li>{@code --server} the server's root URL (default {@code http://localhost:8080})</li>
 * <li>{@code --people} how many people (default 1000); {@code --seed} which population
 * (default 1); {@code --first} the number of the first person (default 0), so that a
 * second load adds people instead of replacing them</li>
 * <li>{@code --clients} transactions at once (default 4)</li>
 * <li>{@code --client} and {@code --secret}: an OAuth2 client of the server's issuer
 * (default the dev-only {@code gp-system}), or {@code --token} an access token</li>
 * <li>{@code --progress} the file that lets a stopped load resume (default
 * {@code population.progress})</li>
 * </ul>
 */
public final class PopulationCommand {

	private PopulationCommand() {
	}

	static final String USAGE = """
			Usage: java -jar epaccs-fhir-server.jar population [options]
			Loads a synthetic EPaCCS population (NHS numbers from the 999 test range) into a running server.
			  --server URL      the server's root URL (default http://localhost:8080)
			  --people N        how many people (default 1000)
			  --first N         number of the first person (default 0); a later load with a higher --first adds people
			  --seed N          which population (default 1)
			  --clients N       transactions sent at once (default 4)
			  --client ID       OAuth2 client of the server's issuer (default the dev-only gp-system)
			  --secret SECRET   its secret (default the dev-only one)
			  --token TOKEN     an access token to use instead of --client and --secret
			  --progress FILE   file that lets a stopped load resume (default population.progress)
			""";

	public static void main(String[] args) throws Exception {
		if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
			System.out.print(USAGE);
			return;
		}
		try {
			run(args);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// a mistyped option or an unreachable server: the reason, not a stack trace
			System.err.println("population: " + ex.getMessage());
			System.err.print(USAGE);
			System.exit(2);
		}
	}

	/** Loads as {@code main} does; returns how many resources were sent. */
	public static long run(String... args) throws Exception {
		Map<String, String> options = options(args);
		URI server = URI.create(options.getOrDefault("server", "http://localhost:8080").replaceAll("/+$", ""));
		int people = number(options, "people", 1000);
		int first = number(options, "first", 0);
		long seed = number(options, "seed", 1);
		int clients = number(options, "clients", 4);
		if (clients < 1 || clients > 64) {
			throw new IllegalArgumentException("--clients must be between 1 and 64");
		}
		Path progress = Path.of(options.getOrDefault("progress", "population.progress"));
		Supplier<String> token = options.containsKey("token") ? () -> options.get("token") : () -> clientToken(server,
				options.getOrDefault("client", "gp-system"), options.getOrDefault("secret", "gp-system-dev-secret"));
		return new PopulationLoader(URI.create(server + "/fhir"), token, clients, System.out)
			.load(new SyntheticPopulation(seed, first, people), progress);
	}

	private static int number(Map<String, String> options, String name, int otherwise) {
		String value = options.get(name);
		try {
			return (value != null) ? Integer.parseInt(value) : otherwise;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + value + "'");
		}
	}

	static Map<String, String> options(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("Unexpected argument '" + arg + "'; options are --name value");
			}
			String name = arg.substring(2);
			String value;
			int equals = name.indexOf('=');
			if (equals > 0) {
				value = name.substring(equals + 1);
				name = name.substring(0, equals);
			}
			else if (i + 1 < args.length) {
				value = args[++i];
			}
			else {
				throw new IllegalArgumentException("Option --" + name + " needs a value");
			}
			if (!java.util.Set
				.of("server", "people", "first", "seed", "clients", "client", "secret", "token", "progress")
				.contains(name)) {
				throw new IllegalArgumentException("Unknown option --" + name);
			}
			options.put(name, value);
		}
		return options;
	}

	/** An access token from the server's own (embedded, dev/demo) issuer. */
	private static String clientToken(URI server, String client, String secret) {
		try {
			HttpResponse<String> response = HttpClient.newBuilder()
				.connectTimeout(java.time.Duration.ofSeconds(10))
				.build()
				.send(HttpRequest.newBuilder(URI.create(server + "/oauth2/token"))
					.timeout(java.time.Duration.ofSeconds(30))
					.header("Authorization",
							"Basic " + Base64.getEncoder()
								.encodeToString((client + ":" + secret).getBytes(StandardCharsets.UTF_8)))
					.header("Content-Type", "application/x-www-form-urlencoded")
					.POST(HttpRequest.BodyPublishers
						.ofString("grant_type=" + URLEncoder.encode("client_credentials", StandardCharsets.UTF_8)))
					.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() >= 500) {
				// a server starting again, or a proxy in front of one: worth another try
				throw new IllegalStateException(
						"No access token from " + server + "/oauth2/token (HTTP " + response.statusCode() + ")",
						new java.io.IOException("HTTP " + response.statusCode()));
			}
			Matcher token = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
			if (response.statusCode() != 200 || !token.find()) {
				throw new IllegalStateException("No access token for client " + client + " from " + server
						+ "/oauth2/token (HTTP " + response.statusCode() + "); give --client and --secret of a "
						+ "client with the system-integration role, or --token");
			}
			return token.group(1);
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(
					"Cannot reach " + server + " (" + ex.getClass().getSimpleName() + "); is the server running there?",
					ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
