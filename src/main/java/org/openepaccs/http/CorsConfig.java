package org.openepaccs.http;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.openepaccs.common.OperationOutcomeResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

/**
 * CORS for browser applications (the OOH viewer, dashboards) served from other origins.
 * Closed by default: with no {@code epaccs.http.cors.allowed-origins} every cross-origin
 * browser request gets 403, as an OperationOutcome.
 */
@Configuration(proxyBeanMethods = false)
class CorsConfig {

	@Bean
	FilterRegistrationBean<CorsFilter> corsFilter(HttpProperties properties) {
		CorsConfiguration cors = new CorsConfiguration();
		cors.setAllowedOrigins(properties.cors().allowedOrigins());
		cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
		cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Accept", "Prefer", "If-Match", "If-None-Match",
				"If-None-Exist", "If-Modified-Since", "X-Request-ID"));
		// X-FHIR-Request-Validation carries the warnings of an accepted write
		// (WriteWarnings)
		cors.setExposedHeaders(List.of("Location", "Content-Location", "ETag", "Last-Modified", "X-Request-ID",
				"X-FHIR-Request-Validation"));
		cors.setAllowCredentials(false);
		cors.setMaxAge(Duration.ofHours(1));
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		source.registerCorsConfiguration("/**", cors);
		CorsFilter filter = new CorsFilter(source);
		filter.setCorsProcessor(new OperationOutcomeCorsProcessor());
		FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
		return registration;
	}

	private static final class OperationOutcomeCorsProcessor extends DefaultCorsProcessor {

		@Override
		protected void rejectRequest(ServerHttpResponse response) throws IOException {
			HttpServletResponse servletResponse = ((ServletServerHttpResponse) response).getServletResponse();
			OperationOutcomeResponse.write(servletResponse, HttpServletResponse.SC_FORBIDDEN, IssueType.FORBIDDEN,
					"Cross-origin request refused: this origin is not in the server's allowed origins");
		}

	}

}
