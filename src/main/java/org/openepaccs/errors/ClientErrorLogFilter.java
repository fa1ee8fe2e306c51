package org.openepaccs.errors;

import java.util.Set;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Drops HAPI's ERROR log with stack trace for client errors: those raised in an
 * interceptor hook (a 400 for a bad header, later every 403 and every validation failure)
 * and unparseable search values, which HAPI logs as a failure and then answers with 400.
 * Such a line is not a server fault, and its message quotes the offending value from the
 * request: a name, a date of birth. Server faults (5xx, or any other exception) are still
 * logged.
 */
class ClientErrorLogFilter extends TurboFilter implements ApplicationListener<ApplicationStartedEvent> {

	private static final Set<String> HAPI_ERROR_LOGGERS = Set.of(
			"ca.uhn.fhir.interceptor.executor.BaseInterceptorService",
			"ca.uhn.fhir.rest.server.interceptor.ExceptionHandlingInterceptor",
			"ca.uhn.fhir.jpa.search.builder.tasks.SearchTask");

	@Override
	public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
			Throwable throwable) {
		if (!HAPI_ERROR_LOGGERS.contains(logger.getName())) {
			return FilterReply.NEUTRAL;
		}
		Object cause = (throwable != null || params == null || params.length == 0) ? throwable
				: params[params.length - 1];
		return isClientError(cause) ? FilterReply.DENY : FilterReply.NEUTRAL;
	}

	private static boolean isClientError(Object candidate) {
		return (candidate instanceof BaseServerResponseException exception && exception.getStatusCode() < 500)
				|| candidate instanceof DataFormatException;
	}

	/**
	 * Logging is (re)initialised while the application starts, which removes turbo
	 * filters: add it afterwards.
	 */
	@Override
	public void onApplicationEvent(ApplicationStartedEvent event) {
		if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
				&& context.getTurboFilterList().stream().noneMatch(ClientErrorLogFilter.class::isInstance)) {
			start();
			context.addTurboFilter(this);
		}
	}

}
