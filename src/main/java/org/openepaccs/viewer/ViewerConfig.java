package org.openepaccs.viewer;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.openepaccs.common.BrowserAppPolicy;
import org.openepaccs.common.RequestPath;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the viewer: {@code /viewer/} is its page (the redirect URI registered for it),
 * the rest of {@code /viewer/} its script and stylesheet, all public (the data comes from
 * the FHIR API, with the clinician's token). Every response carries a
 * Content-Security-Policy that allows only this server's own scripts, styles and
 * connections ({@link BrowserAppPolicy}: no inline script or style, nothing from another
 * origin but an external issuer's token endpoint, never in a frame).
 */
@Configuration(proxyBeanMethods = false)
class ViewerConfig implements WebMvcConfigurer {

	/** Where the page's images come from: this server only. */
	static final String IMAGES = "'self'";

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addViewController("/viewer").setViewName("redirect:/viewer/");
		registry.addViewController("/viewer/").setViewName("forward:/viewer/index.html");
	}

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		// the sign-in script this server's browser apps share
		registry.addResourceHandler("/viewer/shared/**").addResourceLocations("classpath:/apps/");
	}

	@Bean
	@Order(1)
	SecurityFilterChain viewerFilterChain(HttpSecurity http, Environment environment) throws Exception {
		String policy = BrowserAppPolicy.of(environment, IMAGES);
		http.securityMatcher(ViewerConfig::isViewer)
			.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(policy))
				.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf((csrf) -> csrf.disable()) // no cookie, no form to the server: nothing
											// to forge
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

	private static boolean isViewer(HttpServletRequest request) {
		String path = RequestPath.of(request);
		return path.equals("/viewer") || path.startsWith("/viewer/");
	}

}
