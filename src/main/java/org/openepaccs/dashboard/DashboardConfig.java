package org.openepaccs.dashboard;

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
 * Serves the dashboard: {@code /dashboard/} is its page (the redirect URI registered for
 * it), the rest of {@code /dashboard/} its script, stylesheet, the shared sign-in script
 * and Chart.js, all public (the numbers come from the FHIR API, with the analyst's
 * token). Every response carries a Content-Security-Policy that allows only this server's
 * own scripts, styles and connections ({@link BrowserAppPolicy}; an external issuer's
 * token endpoint besides), so the page runs no script from anywhere else.
 */
@Configuration(proxyBeanMethods = false)
class DashboardConfig implements WebMvcConfigurer {

	/**
	 * {@code blob:} lets the CSV download be a file the page makes, not a second request
	 * to the server.
	 */
	static final String IMAGES = "'self' blob:";

	/** The Chart.js webjar's version, as in the pom. */
	static final String CHART_JS = "4.5.1";

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addViewController("/dashboard").setViewName("redirect:/dashboard/");
		registry.addViewController("/dashboard/").setViewName("forward:/dashboard/index.html");
	}

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler("/dashboard/lib/**")
			.addResourceLocations("classpath:/META-INF/resources/webjars/chart.js/" + CHART_JS + "/dist/");
		// the sign-in script this server's browser apps share
		registry.addResourceHandler("/dashboard/shared/**").addResourceLocations("classpath:/apps/");
	}

	@Bean
	@Order(1)
	SecurityFilterChain dashboardFilterChain(HttpSecurity http, Environment environment) throws Exception {
		String policy = BrowserAppPolicy.of(environment, IMAGES);
		http.securityMatcher(DashboardConfig::isDashboard)
			.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(policy))
				.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf((csrf) -> csrf.disable()) // no cookie, no form to the server: nothing
											// to forge
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

	private static boolean isDashboard(HttpServletRequest request) {
		String path = RequestPath.of(request);
		return path.equals("/dashboard") || path.startsWith("/dashboard/");
	}

}
