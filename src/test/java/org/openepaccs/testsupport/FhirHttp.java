package org.openepaccs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Talks HTTP to a running server: raw requests where the exact status, headers and body
 * matter, and a HAPI {@link IGenericClient} for everything else.
 */
public final class FhirHttp {

	public static final String FHIR_JSON = "application/fhir+json";

	private static final FhirContext fhir = FhirContext.forR4Cached();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final String root;

	private final String clientId;

	private String accessToken;

	/** As the {@code gp-system} demo client (system integration, all scopes). */
	public FhirHttp(int port) {
		this(port, "gp-system");
	}

	private FhirHttp(int port, String clientId) {
		this("http://localhost:" + port, clientId);
	}

	private FhirHttp(String root, String clientId) {
		this.root = root;
		this.clientId = clientId;
	}

	/**
	 * At another root URL ({@code http://127.0.0.1:<port>}, say), with tokens of this
	 * demo client ({@code null}: without a token) fetched there too.
	 */
	public static FhirHttp at(String root, String clientId) {
		return new FhirHttp(root, clientId);
	}

	/** With tokens of this demo client of the embedded issuer. */
	public static FhirHttp as(int port, String clientId) {
		return new FhirHttp(port, clientId);
	}

	/** Without any token. */
	public static FhirHttp anonymous(int port) {
		return new FhirHttp(port, null);
	}

	/**
	 * An access token of this client from the server's embedded issuer (dev-only secrets,
	 * as in application.yaml), fetched once.
	 */
	public synchronized String accessToken() {
		if (this.accessToken == null && this.clientId != null) {
			this.accessToken = token(this.clientId, this.clientId + "-dev-secret", null);
		}
		return this.accessToken;
	}

	/** The raw token endpoint answer for these credentials and (optional) scopes. */
	public Response tokenResponse(String clientId, String secret, String scope) {
		String credentials = java.util.Base64.getEncoder()
			.encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
		String form = "grant_type=client_credentials"
				+ ((scope != null) ? "&scope=" + java.net.URLEncoder.encode(scope, StandardCharsets.UTF_8) : "");
		return send(HttpRequest.newBuilder(URI.create(this.root + "/oauth2/token"))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Basic " + credentials)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build());
	}

	/** The token endpoint's answer to this form (already encoded). */
	public Response tokenResponse(String form) {
		return send(HttpRequest.newBuilder(URI.create(this.root + "/oauth2/token"))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build());
	}

	public String token(String clientId, String secret, String scope) {
		Response response = tokenResponse(clientId, secret, scope);
		if (response.status() != 200) {
			throw new IllegalStateException(
					"no token for " + clientId + ": " + response.status() + " " + response.body());
		}
		try {
			return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body())
				.get("access_token")
				.asText();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String fhirBase() {
		return this.root + "/fhir";
	}

	public IGenericClient client() {
		fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		fhir.getRestfulClientFactory().setSocketTimeout(120_000);
		IGenericClient client = fhir.newRestfulGenericClient(fhirBase());
		if (accessToken() != null) {
			client.registerInterceptor(new BearerTokenAuthInterceptor(accessToken()));
		}
		return client;
	}

	/** {@code path} is relative to the server root, e.g. {@code /fhir/Patient}. */
	public Response get(String path, String... headers) {
		return send("GET", path, null, headers);
	}

	public Response post(String path, String body, String... headers) {
		return send("POST", path, body, withDefaultContentType(headers));
	}

	public Response put(String path, String body, String... headers) {
		return send("PUT", path, body, withDefaultContentType(headers));
	}

	/** {@code headers} are name, value pairs. */
	public Response send(String method, String path, String body, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.root + path))
			.timeout(Duration.ofMinutes(2))
			.method(method,
					(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		boolean ownAuthorization = false;
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
			ownAuthorization |= "Authorization".equalsIgnoreCase(headers[i]);
		}
		if (!ownAuthorization && accessToken() != null) {
			request.header("Authorization", "Bearer " + accessToken());
		}
		return send(request.build());
	}

	public Response send(HttpRequest request) {
		try {
			HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.body(), response.headers());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A GET whose target is sent exactly as given, even where it is not a valid URI (such
	 * as a malformed percent-encoding), which {@link HttpClient} refuses to send.
	 */
	public Response getVerbatim(String target) {
		try {
			HttpURLConnection connection = (HttpURLConnection) new URL(this.root + target).openConnection();
			connection.setConnectTimeout(10_000);
			connection.setReadTimeout(120_000);
			if (accessToken() != null) {
				connection.setRequestProperty("Authorization", "Bearer " + accessToken());
			}
			int status = connection.getResponseCode();
			InputStream stream = (status >= 400) ? connection.getErrorStream() : connection.getInputStream();
			String body = (stream != null) ? new String(stream.readAllBytes(), StandardCharsets.UTF_8) : "";
			Map<String, List<String>> headers = new HashMap<>();
			connection.getHeaderFields().forEach((name, values) -> {
				if (name != null) {
					headers.put(name, values);
				}
			});
			return new Response(status, body, HttpHeaders.of(headers, (name, value) -> true));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String[] withDefaultContentType(String[] headers) {
		for (int i = 0; i < headers.length; i += 2) {
			if ("Content-Type".equalsIgnoreCase(headers[i])) {
				return headers;
			}
		}
		String[] all = new String[headers.length + 2];
		System.arraycopy(headers, 0, all, 0, headers.length);
		all[headers.length] = "Content-Type";
		all[headers.length + 1] = FHIR_JSON;
		return all;
	}

	public static String json(IBaseResource resource) {
		return fhir.newJsonParser().encodeResourceToString(resource);
	}

	public record Response(int status, String body, HttpHeaders rawHeaders) {

		public String header(String name) {
			return this.rawHeaders.firstValue(name).orElse(null);
		}

		public List<String> headers(String name) {
			return this.rawHeaders.allValues(name);
		}

		public <T extends IBaseResource> T resource(Class<T> type) {
			String contentType = header("Content-Type");
			boolean xml = contentType != null && contentType.contains("xml");
			return (xml ? fhir.newXmlParser() : fhir.newJsonParser()).parseResource(type, this.body);
		}

		/**
		 * The OperationOutcome this error response carries; fails if the body is anything
		 * else.
		 */
		public OperationOutcome outcome() {
			return resource(OperationOutcome.class);
		}

		public String diagnostics() {
			return outcome().getIssueFirstRep().getDiagnostics();
		}

	}

}
