package org.openepaccs.security;

import java.text.ParseException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jwt.JWTParser;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Reads a client assertion ({@code private_key_jwt}) sent without {@code client_id}, as
 * SMART Backend Services clients send it (RFC 7523 makes the parameter optional: the
 * assertion's {@code sub} is the client). Spring Authorization Server's converter
 * requires the parameter, so it is given the assertion's {@code sub}, read without trust:
 * the assertion is then verified with the keys of the client it names, and its
 * {@code iss} and {@code sub} must both be that client.
 */
final class ClientIdFromAssertion implements AuthenticationConverter {

	private final AuthenticationConverter delegate;

	ClientIdFromAssertion(AuthenticationConverter delegate) {
		this.delegate = delegate;
	}

	@Override
	public Authentication convert(HttpServletRequest request) {
		String assertion = request.getParameter(OAuth2ParameterNames.CLIENT_ASSERTION);
		if (assertion == null || request.getParameter(OAuth2ParameterNames.CLIENT_ID) != null) {
			return this.delegate.convert(request);
		}
		String subject;
		try {
			subject = JWTParser.parse(assertion).getJWTClaimsSet().getSubject();
		}
		catch (ParseException ex) {
			throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST,
					"client_assertion is not a JWT", "https://datatracker.ietf.org/doc/html/rfc7523#section-3"));
		}
		if (subject == null || subject.isBlank()) {
			throw new OAuth2AuthenticationException(
					new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, "client_assertion names no client (sub)",
							"https://datatracker.ietf.org/doc/html/rfc7523#section-3"));
		}
		return this.delegate.convert(new WithClientId(request, subject));
	}

	/** The request with a {@code client_id} form parameter. */
	private static final class WithClientId extends HttpServletRequestWrapper {

		private final String clientId;

		WithClientId(HttpServletRequest request, String clientId) {
			super(request);
			this.clientId = clientId;
		}

		@Override
		public String getParameter(String name) {
			return OAuth2ParameterNames.CLIENT_ID.equals(name) ? this.clientId : super.getParameter(name);
		}

		@Override
		public String[] getParameterValues(String name) {
			return OAuth2ParameterNames.CLIENT_ID.equals(name) ? new String[] { this.clientId }
					: super.getParameterValues(name);
		}

		@Override
		public Map<String, String[]> getParameterMap() {
			Map<String, String[]> parameters = new LinkedHashMap<>(super.getParameterMap());
			parameters.put(OAuth2ParameterNames.CLIENT_ID, new String[] { this.clientId });
			return Collections.unmodifiableMap(parameters);
		}

		@Override
		public Enumeration<String> getParameterNames() {
			return Collections.enumeration(getParameterMap().keySet());
		}

	}

}
