package org.openepaccs.security;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The SMART EHR launch's two calls to this server, whichever issuer signs users in.
 * <ul>
 * <li>{@code POST /oauth2/launch} (form field {@code patient}, the Patient's id): an EHR
 * starts a launch. A trusted system client calls it with its own access token
 * ({@code client_credentials}) carrying the scope {@value #SCOPE}, and gets an opaque,
 * short-lived, single-use launch id to pass to the app as {@code launch}
 * ({@link LaunchContexts}).</li>
 * <li>{@code POST /oauth2/launch/context} (form field {@code launch}): an app whose user
 * signed in at another issuer (Keycloak, or an authorization server in front of NHS
 * CIS2), which cannot put the patient in its token response, redeems the launch id with
 * that user's token, which must carry the scope {@code launch} and a clinical role, and
 * gets {@code {"patient": "<id>"}}. The id is redeemed once, for that user and client.
 * With the embedded issuer the token response carries the patient, and the launch id is
 * already used by then.</li>
 * </ul>
 * The patient's record is not looked at: whoever opens it is given or refused it by the
 * access rules as for any read, so neither call tells anybody whether a record exists.
 */
@RestController
@ConditionalOnExpression(LaunchConfig.ACTIVE)
class LaunchContextEndpoint {

	static final String PATH = "/oauth2/launch";

	static final String CONTEXT_PATH = "/oauth2/launch/context";

	/** The scope a system client needs to start a launch. */
	static final String SCOPE = "epaccs/launch-context";

	/** The SMART scope an app asks for to be given the launch's context. */
	static final String LAUNCH_SCOPE = "launch";

	private final LaunchContexts launches;

	private final AccessProperties properties;

	private final Callers callers;

	LaunchContextEndpoint(LaunchContexts launches, AccessProperties properties, Callers callers) {
		this.launches = launches;
		this.properties = properties;
		this.callers = callers;
	}

	@PostMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> launch(@RequestParam(name = "patient", required = false) String patient,
			JwtAuthenticationToken token) {
		if (!scopesOf(token).contains(SCOPE)) {
			return error(HttpStatus.FORBIDDEN, "insufficient_scope",
					"starting a launch needs an access token with the scope " + SCOPE);
		}
		if (patient == null || !patient.matches("[A-Za-z0-9\\-.]{1,64}")) {
			return error(HttpStatus.BAD_REQUEST, "invalid_request",
					"patient must be the id of a Patient on this server (Patient/<id> without Patient/)");
		}
		String launch;
		try {
			launch = this.launches.issue(patient, null, this.callers.fromToken(token.getToken()).clientId());
		}
		catch (LaunchContexts.TooManyWaiting ex) {
			return error(HttpStatus.SERVICE_UNAVAILABLE, "temporarily_unavailable", ex.getMessage());
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("launch", launch);
		body.put("expires_in", this.properties.launchLifetime().toSeconds());
		return ResponseEntity.status(HttpStatus.CREATED).cacheControl(CacheControl.noStore()).body(body);
	}

	@PostMapping(path = CONTEXT_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> context(@RequestParam(name = "launch", required = false) String launch,
			JwtAuthenticationToken token) {
		Caller caller = this.callers.fromToken(token.getToken());
		if (!scopesOf(token).contains(LAUNCH_SCOPE) || !caller.isClinical()) {
			return error(HttpStatus.FORBIDDEN, "insufficient_scope", "the context of a launch is given to a "
					+ "clinician's app: an access token with the scope launch and a clinical role");
		}
		if (launch == null || launch.isBlank()) {
			return error(HttpStatus.BAD_REQUEST, "invalid_request", "launch must be the launch id the app was given");
		}
		LaunchContexts.Taken taken = this.launches.redeemAndTake(launch, caller.clientId(), caller.user());
		if (taken.problem() != null) {
			return error(HttpStatus.BAD_REQUEST, "invalid_request", taken.problem().description());
		}
		return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(Map.of("patient", taken.patient()));
	}

	private static List<String> scopesOf(JwtAuthenticationToken token) {
		Object scope = token.getToken().getClaim("scope");
		return (scope != null) ? Arrays.asList(scope.toString().replaceAll("[\\[\\],]", " ").trim().split("\\s+"))
				: List.of();
	}

	private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String description) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("error", code);
		body.put("error_description", description);
		return ResponseEntity.status(status).cacheControl(CacheControl.noStore()).body(body);
	}

}
