package org.openepaccs.http;

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
	 * Ordered last: Spring Boot's own Tomcat customizer adds a plain error report valve,
	 * which this one then replaces.
	 */
	static final class ErrorReportCustomizer
			implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
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
