package org.openepaccs.security;

import java.time.Clock;

import javax.sql.DataSource;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The SMART EHR launch's store and the security of its endpoints
 * ({@link LaunchContextEndpoint}), with the embedded issuer and with an external one, and
 * also where access control is off but the embedded issuer is on (the benchmarks'
 * baseline), whose sign-in needs the store.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression(LaunchConfig.ACTIVE)
class LaunchConfig {

	/** Access control on, or the embedded issuer on. */
	static final String ACTIVE = "${epaccs.security.enabled:true} or ${epaccs.security.embedded-issuer.enabled:false}";

	@Bean
	LaunchContexts launchContexts(DataSource dataSource, AccessProperties properties, Environment environment) {
		if (environment.containsProperty("epaccs.security.embedded-issuer.launch-lifetime")) {
			// a lifetime set under the old name would otherwise be silently replaced by
			// the
			// default
			throw new IllegalStateException("epaccs.security.embedded-issuer.launch-lifetime is no longer read: "
					+ "launches serve every issuer; set epaccs.security.launch-lifetime instead");
		}
		return new LaunchContexts(dataSource, properties.launchLifetime(), Clock.systemUTC());
	}

	/**
	 * Both endpoints take a bearer token like the FHIR API: no session, no cookie, so no
	 * CSRF to check.
	 */
	@Bean
	@Order(1)
	SecurityFilterChain launchContextFilterChain(HttpSecurity http, JwtDecoder decoder) throws Exception {
		http.securityMatcher((request) -> ResourceServerConfig.path(request).equals(LaunchContextEndpoint.PATH)
				|| ResourceServerConfig.path(request).startsWith(LaunchContextEndpoint.PATH + "/"))
			.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.oauth2ResourceServer((resourceServer) -> resourceServer.jwt((jwt) -> jwt.decoder(decoder)))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf((csrf) -> csrf.disable())
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

}
