package org.openepaccs.security;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /oauth2/launch} (form field {@code patient}, the Patient's id): how an EHR
 * starts a SMART EHR launch with the embedded issuer. A trusted system client calls it
 * with its own access token ({@code client_credentials}) carrying the scope
 * {@value #SCOPE}, and gets an opaque, short-lived, single-use launch id to pass to the
 * app as {@code launch} ({@link LaunchContexts}). The patient's record is not looked at:
 * whoever signs in to the app is then given or refused it by the access rules as for any
 * read, so this endpoint tells nobody whether a record exists.
 */
@RestController
@ConditionalOnProperty(name = "epaccs.security.embedded-issuer.enabled", havingValue = "true")
class LaunchContextEndpoint {

	static final String PATH = "/oauth2/launch";

	/** The scope a system client needs to start a launch. */
	static final String SCOPE = "epaccs/launch-context";

	private final LaunchContexts launches;

	private final AccessProperties properties;

	LaunchContextEndpoint(LaunchContexts launches, AccessProperties properties) {
		this.launches = launches;
		this.properties = properties;
	}

	@PostMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> launch(@RequestParam(name = "patient", required = false) String patient,
			JwtAuthenticationToken token) {
		Object scope = token.getToken().getClaim("scope");
		boolean allowed = scope != null
				&& Arrays.asList(scope.toString().replaceAll("[\\[\\],]", " ").split("\\s+")).contains(SCOPE);
		if (!allowed) {
			return error(HttpStatus.FORBIDDEN, "insufficient_scope",
					"starting a launch needs an access token with the scope " + SCOPE);
		}
		if (patient == null || !patient.matches("[A-Za-z0-9\\-.]{1,64}")) {
			return error(HttpStatus.BAD_REQUEST, "invalid_request",
					"patient must be the id of a Patient on this server (Patient/<id> without Patient/)");
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("launch", this.launches.issue(patient, null));
		body.put("expires_in", this.properties.embeddedIssuer().launchLifetime().toSeconds());
		return ResponseEntity.status(HttpStatus.CREATED).cacheControl(CacheControl.noStore()).body(body);
	}

	private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String description) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("error", code);
		body.put("error_description", description);
		return ResponseEntity.status(status).cacheControl(CacheControl.noStore()).body(body);
	}

}
