package org.openepaccs.errors;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What clients are told of a failure, and what the log keeps of it. */
@Configuration(proxyBeanMethods = false)
class ErrorsConfig {

	@Bean
	DiagnosticsSanitiser diagnosticsSanitiser() {
		return new DiagnosticsSanitiser();
	}

	@Bean
	ErrorLogInterceptor errorLogInterceptor() {
		return new ErrorLogInterceptor();
	}

	@Bean
	static ClientErrorLogFilter clientErrorLogFilter() {
		return new ClientErrorLogFilter();
	}

}
