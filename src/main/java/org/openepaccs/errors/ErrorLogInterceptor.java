package org.openepaccs.errors;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.annotation.Order;

/**
 * Logs why a request was refused by HAPI's message codes only ({@code HAPI-0450}, ...).
 * HAPI's own warning quotes the whole message, which can repeat the offending value from
 * the request body: a name, a date of birth, an NHS number. Its logger is therefore
 * raised to ERROR in {@code application.yaml}, and this line takes its place.
 */
@Order(InterceptorOrder.FAILURES)
@Interceptor
class ErrorLogInterceptor implements FhirServerInterceptor {

	private static final Logger log = LoggerFactory.getLogger(ErrorLogInterceptor.class);

	private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d{4}");

	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean logRefusal(BaseServerResponseException exception) {
		if (exception.getStatusCode() < 500) {
			log.info("Refused with {} {}: {}", exception.getStatusCode(), exception.getClass().getSimpleName(),
					codes(exception.getMessage()));
		}
		return true;
	}

	static List<String> codes(String message) {
		List<String> codes = new ArrayList<>();
		if (message != null) {
			Matcher matcher = HAPI_CODE.matcher(message);
			while (matcher.find()) {
				codes.add(matcher.group());
			}
		}
		return codes;
	}

}
