package org.openepaccs.errors;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientErrorLogFilterTest {

	private final LoggerContext context = new LoggerContext();

	private final ClientErrorLogFilter filter = new ClientErrorLogFilter();

	@Test
	void dropsHapisStackTraceForAClientErrorThrownByAHook() {
		assertThat(decide("ca.uhn.fhir.interceptor.executor.BaseInterceptorService",
				new InvalidRequestException("Invalid attribute value \"Margaret\"")))
			.isEqualTo(FilterReply.DENY);
	}

	@Test
	void dropsHapisStackTraceForAnUnparseableSearchValue() {
		FilterReply reply = this.filter.decide(null,
				this.context.getLogger("ca.uhn.fhir.rest.server.interceptor.ExceptionHandlingInterceptor"), Level.ERROR,
				"Failure during REST processing: x", null,
				new DataFormatException("HAPI-1940: Invalid date/time/quantity format: \"1944-13-45\""));

		assertThat(reply).isEqualTo(FilterReply.DENY);
	}

	@Test
	void keepsServerFaultsAndEveryOtherLogger() {
		assertThat(decide("ca.uhn.fhir.interceptor.executor.BaseInterceptorService",
				new InternalErrorException("database gone")))
			.isEqualTo(FilterReply.NEUTRAL);
		assertThat(decide("ca.uhn.fhir.interceptor.executor.BaseInterceptorService", new IllegalStateException("bug")))
			.isEqualTo(FilterReply.NEUTRAL);
		assertThat(decide("org.openepaccs.access", new InvalidRequestException("x"))).isEqualTo(FilterReply.NEUTRAL);
	}

	private FilterReply decide(String loggerName, Exception exception) {
		return this.filter.decide(null, this.context.getLogger(loggerName), Level.ERROR,
				"Exception thrown by interceptor for pointcut {}: {}", new Object[] { "POINTCUT", "text", exception },
				null);
	}

}
