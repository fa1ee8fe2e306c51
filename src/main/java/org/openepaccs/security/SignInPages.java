package org.openepaccs.security;

import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import org.openepaccs.common.NhsNumber;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.HtmlUtils;
import org.springframework.web.util.UriUtils;

/**
 * The embedded issuer's pages: sign-in, consent and the standalone patient picker
 * ({@link SignInConfig} protects them). Plain HTML without script, every value escaped,
 * every form with the session's CSRF token; never cached.
 */
@Controller
@ConditionalOnProperty(name = "epaccs.security.embedded-issuer.enabled", havingValue = "true")
class SignInPages {

	/**
	 * What each scope an app may ask for lets it do, in the words the consent page uses.
	 */
	private static final Map<String, String> SCOPE_WORDS = Map.ofEntries(
			Map.entry("launch", "Open the patient record your clinical system has open"),
			Map.entry("launch/patient", "Ask you which patient's record to open"),
			Map.entry("patient/*.rs", "Read and search the record of that patient"),
			Map.entry("patient/*.read", "Read and search the record of that patient"),
			Map.entry("user/*.rs", "Read and search every record you may see"),
			Map.entry("user/*.read", "Read and search every record you may see"));

	private final AccessProperties properties;

	private final PatientsByNhsNumber patients;

	private final LaunchContexts launches;

	SignInPages(AccessProperties properties, PatientsByNhsNumber patients, LaunchContexts launches) {
		this.properties = properties;
		this.patients = patients;
		this.launches = launches;
	}

	@GetMapping(SignInConfig.LOGIN)
	ResponseEntity<String> signIn(HttpServletRequest request, CsrfToken csrf) {
		StringBuilder body = new StringBuilder("<h1>Sign in to the EPaCCS demo</h1>");
		if (request.getParameter("error") != null) {
			body.append("<p class=\"problem\" role=\"alert\">Wrong user name or password.</p>");
		}
		if (request.getParameter("signed-out") != null) {
			body.append("<p class=\"note\">You are signed out.</p>");
		}
		if (request.getParameter("signed-in") != null) {
			body.append("<p class=\"note\">You are signed in. Go back to the app you were using.</p>");
		}
		body.append("<form method=\"post\" action=\"")
			.append(SignInConfig.LOGIN)
			.append("\">")
			.append(hidden(csrf.getParameterName(), csrf.getToken()))
			.append("<label for=\"username\">User name</label>")
			.append("<input id=\"username\" name=\"username\" autocomplete=\"username\" required>")
			.append("<label for=\"password\">Password</label>")
			.append("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" "
					+ "required>")
			.append("<button type=\"submit\">Sign in</button></form>")
			.append("<h2>Demo users</h2><p class=\"note\">Development only: their passwords are in the README.</p>")
			.append("<table><thead><tr><th>User name</th><th>Name</th><th>Role</th><th>Organisation</th></tr>"
					+ "</thead><tbody>");
		this.properties.embeddedIssuer()
			.users()
			.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.forEach((user) -> body.append("<tr><td>")
				.append(escape(user.getKey()))
				.append("</td><td>")
				.append(escape(user.getValue().name()))
				.append("</td><td>")
				.append(escape(user.getValue().role().claimValue()))
				.append("</td><td>")
				.append(escape(user.getValue().organisation()))
				.append("</td></tr>"));
		body.append("</tbody></table>");
		return page(HttpStatus.OK, "Sign in", body);
	}

	/**
	 * Where an app sends a user who signs out: signing out is a form, so that another
	 * site cannot sign the user out with a link.
	 */
	@GetMapping(SignInConfig.LOGOUT)
	ResponseEntity<String> signOut(Authentication user, CsrfToken csrf) {
		StringBuilder body = new StringBuilder("<h1>Sign out</h1><p>Signed in as <strong>")
			.append(escape(user.getName()))
			.append("</strong>. Signing out here ends your sign-in for every app that uses it.</p>")
			.append("<form method=\"post\" action=\"")
			.append(SignInConfig.LOGOUT)
			.append("\">")
			.append(hidden(csrf.getParameterName(), csrf.getToken()))
			.append("<button type=\"submit\" id=\"sign-out\">Sign out</button></form>");
		return page(HttpStatus.OK, "Sign out", body);
	}

	@GetMapping(SignInConfig.CONSENT)
	ResponseEntity<String> consent(@RequestParam(name = "client_id", required = false) String clientId,
			@RequestParam(name = "scope", required = false) String scope,
			@RequestParam(name = "state", required = false) String state, Authentication user, CsrfToken csrf) {
		if (clientId == null || state == null) {
			return page(HttpStatus.BAD_REQUEST, "Nothing to agree to",
					new StringBuilder("<h1>Nothing to agree to</h1><p>No app is asking for your agreement. "
							+ "Start again from the app.</p>"));
		}
		List<String> scopes = (scope != null && !scope.isBlank()) ? List.of(scope.trim().split("\\s+")) : List.of();
		StringBuilder body = new StringBuilder("<h1>Allow ").append(escape(clientId))
			.append("?</h1><p>Signed in as <strong>")
			.append(escape(user.getName()))
			.append("</strong>. The app <strong>")
			.append(escape(clientId))
			.append("</strong> asks to:</p><ul class=\"scopes\">");
		for (String each : scopes) {
			body.append("<li>")
				.append(escape(SCOPE_WORDS.getOrDefault(each, "Use the permission")))
				.append(" <code>")
				.append(escape(each))
				.append("</code></li>");
		}
		body.append("</ul><p class=\"note\">Every record it opens is in the audit trail under your name.</p>");
		body.append("<form method=\"post\" action=\"/oauth2/authorize\" class=\"inline\">")
			.append(hidden(csrf.getParameterName(), csrf.getToken()))
			.append(hidden("client_id", clientId))
			.append(hidden("state", state));
		scopes.forEach((each) -> body.append(hidden("scope", each)));
		body.append("<button type=\"submit\" id=\"allow\">Allow</button></form>")
			.append("<form method=\"post\" action=\"/oauth2/authorize\" class=\"inline\">")
			.append(hidden(csrf.getParameterName(), csrf.getToken()))
			.append(hidden("client_id", clientId))
			.append(hidden("state", state))
			.append("<button type=\"submit\" id=\"deny\" class=\"secondary\">Do not allow</button></form>");
		return page(HttpStatus.OK, "Allow " + clientId, body);
	}

	@GetMapping(SignInConfig.PICKER)
	ResponseEntity<String> picker(HttpSession session, CsrfToken csrf) {
		if (session.getAttribute(PatientPickerRedirect.WAITING_REQUEST) == null) {
			return nothingWaiting();
		}
		return pickerPage(HttpStatus.OK, null, csrf);
	}

	@PostMapping(SignInConfig.PICKER)
	ResponseEntity<String> pick(@RequestParam(name = "nhs_number", required = false) String nhsNumber,
			HttpSession session, Authentication user, CsrfToken csrf) {
		Object waiting = session.getAttribute(PatientPickerRedirect.WAITING_REQUEST);
		if (!(waiting instanceof String query)) {
			return nothingWaiting();
		}
		String number = (nhsNumber != null) ? nhsNumber.replaceAll("[\\s-]", "") : "";
		String problem = NhsNumber.problem(number);
		if (problem != null) {
			return pickerPage(HttpStatus.BAD_REQUEST, "This is not a valid NHS number: " + problem + ".", csrf);
		}
		AccessProperties.DemoUser demo = this.properties.embeddedIssuer().users().get(user.getName());
		List<String> found = (demo != null) ? this.patients.find(number, demo.role(), demo.organisation()) : List.of();
		if (found.isEmpty()) {
			return pickerPage(HttpStatus.NOT_FOUND, "No record you may open has this NHS number.", csrf);
		}
		if (found.size() > 1) {
			return pickerPage(HttpStatus.CONFLICT,
					"This NHS number is on more than one record here: ask the record's practice to merge them.", csrf);
		}
		String launch;
		try {
			launch = this.launches.issue(found.get(0), user.getName(), user.getName());
		}
		catch (LaunchContexts.TooManyWaiting ex) {
			return pickerPage(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage(), csrf);
		}
		session.removeAttribute(PatientPickerRedirect.WAITING_REQUEST);
		return ResponseEntity.status(HttpStatus.SEE_OTHER)
			.header("Location",
					"/oauth2/authorize?" + query + "&" + LaunchParameterCheck.LAUNCH + "="
							+ UriUtils.encodeQueryParam(launch, java.nio.charset.StandardCharsets.UTF_8))
			.build();
	}

	private ResponseEntity<String> pickerPage(HttpStatus status, String problem, CsrfToken csrf) {
		StringBuilder body = new StringBuilder("<h1>Which patient?</h1>");
		if (problem != null) {
			body.append("<p class=\"problem\" role=\"alert\">").append(escape(problem)).append("</p>");
		}
		body.append("<form method=\"post\" action=\"")
			.append(SignInConfig.PICKER)
			.append("\">")
			.append(hidden(csrf.getParameterName(), csrf.getToken()))
			.append("<label for=\"nhs_number\">NHS number</label>")
			.append("<input id=\"nhs_number\" name=\"nhs_number\" inputmode=\"numeric\" autocomplete=\"off\" "
					+ "required>")
			.append("<button type=\"submit\">Open this patient's record</button></form>");
		return page(status, "Which patient?", body);
	}

	private ResponseEntity<String> nothingWaiting() {
		return page(HttpStatus.BAD_REQUEST, "No app is waiting",
				new StringBuilder("<h1>No app is waiting for a patient</h1><p>Start again from the app.</p>"));
	}

	private static ResponseEntity<String> page(HttpStatus status, String title, StringBuilder body) {
		String html = "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
				+ "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + escape(title)
				+ " – EPaCCS demo sign-in</title><link rel=\"stylesheet\" href=\"/sign-in/sign-in.css\"></head>"
				+ "<body><main>" + body + "</main></body></html>";
		return ResponseEntity.status(status)
			.contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
			.cacheControl(CacheControl.noStore())
			.body(html);
	}

	private static String hidden(String name, String value) {
		return "<input type=\"hidden\" name=\"" + escape(name) + "\" value=\"" + escape(value) + "\">";
	}

	private static String escape(String text) {
		return HtmlUtils.htmlEscape(text, "UTF-8");
	}

}
