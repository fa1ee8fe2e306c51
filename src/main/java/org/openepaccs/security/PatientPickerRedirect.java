package org.openepaccs.security;

import java.io.IOException;
import java.util.Arrays;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The standalone launch: an app that asks for {@code launch/patient} without a launch id
 * wants the user to choose the patient. Once the user has signed in, the authorization
 * request waits in the session while the patient picker ({@link SignInPages}) asks for
 * the NHS number; the picker then sends the browser back to it with a launch id of its
 * own (bound to this user), which the authorization request redeems like an EHR's.
 * Nothing about the patient is ever in a URL: the launch id is opaque.
 */
final class PatientPickerRedirect extends OncePerRequestFilter {

	static final String WAITING_REQUEST = PatientPickerRedirect.class.getName() + ".query";

	static final String LAUNCH_PATIENT = "launch/patient";

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !("GET".equals(request.getMethod()) && ResourceServerConfig.path(request).equals("/oauth2/authorize"));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Authentication user = SecurityContextHolder.getContext().getAuthentication();
		boolean signedIn = user != null && user.isAuthenticated() && !(user instanceof AnonymousAuthenticationToken);
		String scope = request.getParameter("scope");
		String launch = request.getParameter(LaunchParameterCheck.LAUNCH);
		if (signedIn && scope != null && Arrays.asList(scope.split(" ")).contains(LAUNCH_PATIENT)
				&& (launch == null || launch.isBlank())) {
			request.getSession().setAttribute(WAITING_REQUEST, request.getQueryString());
			response.sendRedirect(request.getContextPath() + SignInConfig.PICKER);
			return;
		}
		chain.doFilter(request, response);
	}

}
