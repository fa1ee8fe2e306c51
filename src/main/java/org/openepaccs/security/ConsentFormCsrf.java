package org.openepaccs.security;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;

/**
 * The CSRF check of the consent form: a POST to the authorization endpoint from a
 * signed-in user's browser must carry the token of the consent page this server showed
 * them ({@link SignInPages}, same session), or another site could submit a user's consent
 * for them. Only that POST: the token endpoint and a GET authorization request are not
 * form submissions of ours.
 */
final class ConsentFormCsrf {

	private ConsentFormCsrf() {
	}

	static CsrfFilter filter() {
		CsrfFilter filter = new CsrfFilter(new HttpSessionCsrfTokenRepository());
		filter.setRequireCsrfProtectionMatcher(ConsentFormCsrf::isConsentForm);
		return filter;
	}

	private static boolean isConsentForm(HttpServletRequest request) {
		return "POST".equals(request.getMethod()) && ResourceServerConfig.path(request).equals("/oauth2/authorize");
	}

}
