package org.openepaccs.security;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;

/**
 * The embedded issuer's pages for people (demo profile only): sign-in with a demo user's
 * name and password, consent to the scopes an app asks for, and the standalone launch's
 * patient picker ({@link SignInPages}). They keep the signed-in user in a session, every
 * form carries a CSRF token, and every page is sent with a Content-Security-Policy that
 * allows nothing but this server's own stylesheet.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "epaccs.security.embedded-issuer.enabled", havingValue = "true")
class SignInConfig {

	static final String LOGIN = "/login";

	static final String LOGOUT = "/logout";

	static final String CONSENT = "/oauth2/consent";

	static final String PICKER = "/oauth2/pick-patient";

	/**
	 * No script at all, nothing from elsewhere, never in a frame. No {@code form-action}:
	 * the consent form's answer is a redirect to the app, which browsers would check
	 * against it.
	 */
	static final String PAGE_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; "
			+ "frame-ancestors 'none'; base-uri 'none'";

	private static final List<String> PATHS = List.of(LOGIN, LOGOUT, CONSENT, PICKER);

	@Bean
	@Order(1)
	SecurityFilterChain signInFilterChain(HttpSecurity http) throws Exception {
		http.securityMatcher((request) -> PATHS.contains(ResourceServerConfig.path(request)))
			.authorizeHttpRequests((requests) -> requests
				.requestMatchers((request) -> ResourceServerConfig.path(request).equals(LOGIN))
				.permitAll()
				.anyRequest()
				.authenticated())
			// back to the authorization request that sent the user here
			.formLogin((login) -> login.loginPage(LOGIN).defaultSuccessUrl(LOGIN + "?signed-in", false))
			.logout((logout) -> logout.logoutUrl(LOGOUT).logoutSuccessUrl(LOGIN + "?signed-out"))
			.exceptionHandling(
					(exceptions) -> exceptions.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint(LOGIN)))
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(PAGE_POLICY)));
		return http.build();
	}

	/** The demo users, with their dev-only passwords from the demo profile. */
	@Bean
	UserDetailsService demoUsers(AccessProperties properties) {
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		List<UserDetails> users = new ArrayList<>();
		properties.embeddedIssuer()
			.users()
			.forEach((name,
					user) -> users.add(User.withUsername(name)
						.password(encoder.encode(user.password()))
						.roles(user.role().name())
						.build()));
		return new InMemoryUserDetailsManager(users);
	}

}
