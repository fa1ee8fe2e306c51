package org.openepaccs.security;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.openepaccs.common.OperationOutcomeResponse;
import org.openepaccs.common.RequestId;

import org.springframework.context.ApplicationEventPublisher;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * 401 and 403 as FHIR: Spring Security's bearer-token handlers set the status and the
 * {@code WWW-Authenticate} header (RFC 6750), then the body is an OperationOutcome that
 * says what was wrong with the token, never a blank page.
 */
class OperationOutcomeAuthenticationEntryPoint implements AuthenticationEntryPoint, AccessDeniedHandler {

	private final ApplicationEventPublisher events;

	OperationOutcomeAuthenticationEntryPoint(ApplicationEventPublisher events) {
		this.events = events;
	}

	private final BearerTokenAuthenticationEntryPoint authenticationHeaders = new BearerTokenAuthenticationEntryPoint();

	private final BearerTokenAccessDeniedHandler accessDeniedHeaders = new BearerTokenAccessDeniedHandler();

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
			throws IOException {
		this.authenticationHeaders.commence(request, response, failure);
		String diagnostics = (failure instanceof InvalidBearerTokenException)
				? "The access token was refused: " + failure.getMessage()
				: "This request needs an OAuth2 access token: send Authorization: Bearer <token> "
						+ "(see /.well-known/smart-configuration for where to get one)";
		OperationOutcomeResponse.write(response, HttpServletResponse.SC_UNAUTHORIZED, IssueType.LOGIN, diagnostics);
		publish(request, HttpServletResponse.SC_UNAUTHORIZED, diagnostics);
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
			throws IOException {
		this.accessDeniedHeaders.handle(request, response, denied);
		OperationOutcomeResponse.write(response, HttpServletResponse.SC_FORBIDDEN, IssueType.FORBIDDEN,
				"The access token does not allow this request");
		publish(request, HttpServletResponse.SC_FORBIDDEN, "The access token does not allow this request");
	}

	private void publish(HttpServletRequest request, int status, String reason) {
		this.events.publishEvent(new TokenRefused(status, request.getMethod(), request.getRequestURI(), reason,
				request.getRemoteAddr(), RequestId.of(request)));
	}

}
