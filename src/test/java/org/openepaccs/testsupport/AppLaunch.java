package org.openepaccs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A browser's side of the SMART App Launch against the embedded issuer, over plain HTTP:
 * one cookie jar (the sign-in session), redirects followed by hand so that each step can
 * be checked, the CSRF tokens and hidden fields read from the pages as a browser would
 * submit them. The app's side (PKCE, the token request) is here too.
 */
public final class AppLaunch {

	private static final Pattern INPUT = Pattern
		.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

	private static final ObjectMapper json = new ObjectMapper();

	private final String root;

	private final HttpClient browser;

	private final HttpClient app = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	public AppLaunch(String root) {
		this.root = root;
		this.browser = HttpClient.newBuilder()
			.cookieHandler(new CookieManager())
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(10))
			.build();
	}

	/** A PKCE verifier and its S256 challenge. */
	public record Pkce(String verifier, String challenge) {

		public static Pkce create() {
			byte[] bytes = new byte[32];
			new SecureRandom().nextBytes(bytes);
			String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
			try {
				byte[] digest = MessageDigest.getInstance("SHA-256")
					.digest(verifier.getBytes(StandardCharsets.US_ASCII));
				return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	/** The query of an authorization request. */
	public static String authorizeQuery(String clientId, String redirectUri, String scope, String state, Pkce pkce,
			String launch) {
		Map<String, String> query = new LinkedHashMap<>();
		query.put("response_type", "code");
		query.put("client_id", clientId);
		query.put("redirect_uri", redirectUri);
		query.put("scope", scope);
		query.put("state", state);
		if (pkce != null) {
			query.put("code_challenge", pkce.challenge());
			query.put("code_challenge_method", "S256");
		}
		if (launch != null) {
			query.put("launch", launch);
		}
		query.put("aud", "ignored-by-test");
		return form(query);
	}

	public static String form(Map<String, String> fields) {
		List<String> pairs = new ArrayList<>();
		fields.forEach((name, value) -> pairs.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
				+ URLEncoder.encode(value, StandardCharsets.UTF_8)));
		return String.join("&", pairs);
	}

	/** A browser GET of this path or absolute URL, without following a redirect. */
	public HttpResponse<String> get(String pathOrUrl) {
		return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET().build(), this.browser);
	}

	/** A browser form POST, without following a redirect. */
	public HttpResponse<String> post(String pathOrUrl, String form) {
		return send(HttpRequest.newBuilder(uri(pathOrUrl))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), this.browser);
	}

	/** Follows redirects on this server until a page, or a redirect elsewhere. */
	public HttpResponse<String> follow(HttpResponse<String> response) {
		HttpResponse<String> current = response;
		for (int i = 0; i < 10 && isRedirect(current) && location(current).startsWith(this.root); i++) {
			current = get(location(current));
		}
		return current;
	}

	/** Signs in on the sign-in page the response led to, and follows on. */
	public HttpResponse<String> signIn(HttpResponse<String> loginPage, String user, String password) {
		HttpResponse<String> page = follow(loginPage);
		if (!page.body().contains("Sign in to the EPaCCS demo")) {
			throw new IllegalStateException("not the sign-in page: " + page.statusCode() + " " + page.body());
		}
		Map<String, String> fields = hiddenFields(page.body());
		fields.put("username", user);
		fields.put("password", password);
		return follow(post("/login", form(fields)));
	}

	/**
	 * Submits the consent page's Allow form (the first form) and returns the redirect.
	 */
	public HttpResponse<String> allow(HttpResponse<String> consentPage) {
		int allow = consentPage.body().indexOf("id=\"allow\"");
		if (allow < 0) {
			throw new IllegalStateException("not the consent page: " + consentPage.statusCode() + " "
					+ consentPage.headers().map() + " " + consentPage.body());
		}
		String allowForm = consentPage.body().substring(0, allow);
		List<String> pairs = new ArrayList<>();
		Matcher matcher = INPUT.matcher(allowForm);
		while (matcher.find()) {
			pairs.add(URLEncoder.encode(unescape(matcher.group(1)), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(unescape(matcher.group(2)), StandardCharsets.UTF_8));
		}
		return post("/oauth2/authorize", String.join("&", pairs));
	}

	/** Picks the patient with this NHS number on the picker page, and follows on. */
	public HttpResponse<String> pick(HttpResponse<String> pickerPage, String nhsNumber) {
		Map<String, String> fields = hiddenFields(pickerPage.body());
		fields.put("nhs_number", nhsNumber);
		return follow(post("/oauth2/pick-patient", form(fields)));
	}

	/**
	 * The whole launch as a user who allows everything: the redirect back to the app (its
	 * Location), from an authorization request. A user who allowed the same scopes to the
	 * same app before is not asked again.
	 */
	public String authorize(String query, String user, String password) {
		HttpResponse<String> response = signIn(get("/oauth2/authorize?" + query), user, password);
		if (response.body() != null && response.body().contains("Which patient?")) {
			throw new IllegalStateException("the picker asks for a patient; use pick()");
		}
		return isRedirect(response) ? location(response) : location(allow(response));
	}

	public static Map<String, String> hiddenFields(String html) {
		Map<String, String> fields = new LinkedHashMap<>();
		Matcher matcher = INPUT.matcher(html);
		while (matcher.find()) {
			fields.putIfAbsent(unescape(matcher.group(1)), unescape(matcher.group(2)));
		}
		return fields;
	}

	/** The query parameters of a redirect's Location. */
	public static Map<String, String> queryOf(String location) {
		Map<String, String> query = new LinkedHashMap<>();
		String raw = URI.create(location).getRawQuery();
		if (raw != null) {
			for (String pair : raw.split("&")) {
				int equals = pair.indexOf('=');
				query.put(URLDecoder.decode((equals < 0) ? pair : pair.substring(0, equals), StandardCharsets.UTF_8),
						(equals < 0) ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
			}
		}
		return query;
	}

	/**
	 * The app's token request (form already encoded), with optional Basic credentials.
	 */
	public HttpResponse<String> token(String form, String clientId, String secret) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri("/oauth2/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form));
		if (secret != null) {
			request.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
		}
		return send(request.build(), this.app);
	}

	public static JsonNode json(HttpResponse<String> response) {
		try {
			return json.readTree(response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static boolean isRedirect(HttpResponse<String> response) {
		return response.statusCode() >= 300 && response.statusCode() < 400;
	}

	public String location(HttpResponse<String> response) {
		String location = response.headers().firstValue("Location").orElse(null);
		if (location == null) {
			throw new IllegalStateException("no redirect: " + response.statusCode() + " " + response.body());
		}
		return location.startsWith("/") ? this.root + location : location;
	}

	private URI uri(String pathOrUrl) {
		return URI.create(pathOrUrl.startsWith("/") ? this.root + pathOrUrl : pathOrUrl);
	}

	private static String unescape(String html) {
		return html.replace("&quot;", "\"")
			.replace("&#39;", "'")
			.replace("&lt;", "<")
			.replace("&gt;", ">")
			.replace("&amp;", "&");
	}

	private static HttpResponse<String> send(HttpRequest request, HttpClient client) {
		try {
			return client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
