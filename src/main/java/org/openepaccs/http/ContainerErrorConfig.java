package org.openepaccs.http;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.openepaccs.common.OperationOutcomeResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.web.filter.OncePerRequestFilter;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Puts {@link OperationOutcomeErrorReportValve} in place of every error report valve on
 * Tomcat's host, so that no error is ever an HTML page.
 */
@Configuration(proxyBeanMethods = false)
class ContainerErrorConfig {

	@Bean
	ErrorReportCustomizer operationOutcomeErrorReports() {
		return new ErrorReportCustomizer();
	}

	/**
	 * TRACE (which would echo a request's headers, token included) and methods HTTP does
	 * not define get 405 as an OperationOutcome, and a path with an empty segment 400.
	 * Tomcat itself would refuse TRACE with an empty 405 before any filter runs, so it
	 * lets TRACE through to this filter instead.
	 */
	@Bean
	FilterRegistrationBean<OncePerRequestFilter> unsupportedMethodFilter() {
		OncePerRequestFilter filter = new OncePerRequestFilter() {
			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				if (!SUPPORTED_METHODS.contains(request.getMethod())) {
					response.setHeader("Allow", String.join(", ", SUPPORTED_METHODS));
					OperationOutcomeResponse.write(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
							OperationOutcome.IssueType.NOTSUPPORTED,
							"HTTP method not supported here; use one of " + String.join(", ", SUPPORTED_METHODS));
					return;
				}
				if (request.getRequestURI().contains("//")) {
					// Tomcat maps such a path to the FHIR servlet, but Spring's path
					// parsing
					// then fails with a 500 and logs the path, ids included
					OperationOutcomeResponse.write(response, HttpServletResponse.SC_BAD_REQUEST,
							OperationOutcome.IssueType.INVALID,
							"The URL path has an empty segment (//); remove the extra slash");
					return;
				}
				chain.doFilter(request, response);
			}
		};
		FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.setName("unsupportedMethods");
		return registration;
	}

	static final java.util.List<String> SUPPORTED_METHODS = java.util.List.of("GET", "HEAD", "POST", "PUT", "DELETE",
			"PATCH", "OPTIONS");

	/**
	 * Ordered last: Spring Boot's own Tomcat customizer adds a plain error report valve,
	 * which this one then replaces.
	 */
	static final class ErrorReportCustomizer
			implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			factory.addConnectorCustomizers((connector) -> connector.setAllowTrace(true));
			factory.addContextCustomizers((context) -> {
				if (context.getParent() instanceof StandardHost host) {
					for (Valve valve : host.getPipeline().getValves()) {
						if (valve instanceof ErrorReportValve) {
							host.getPipeline().removeValve(valve);
						}
					}
					host.setErrorReportValveClass(OperationOutcomeErrorReportValve.class.getName());
					host.getPipeline().addValve(new OperationOutcomeErrorReportValve());
				}
			});
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
