package org.openepaccs.requests;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry.SearchParamLookupContextEnum;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.http.HttpProperties;

import org.springframework.core.annotation.Order;

/**
 * Refuses with 400, naming the parameter, search values that plain HAPI answers with a
 * 500: a negative {@code _offset} or {@code _count}, and number or quantity values that
 * are not decimals ({@code 0x10}) or that PostgreSQL cannot compare with its
 * double-precision index columns (a 400-digit number), whose error text named the query.
 */
@Order(InterceptorOrder.REQUEST_CHECKS)
@Interceptor
class SearchValueInterceptor implements FhirServerInterceptor {

	private static final Pattern PREFIX = Pattern.compile("^(?:eq|ne|gt|lt|ge|le|sa|eb|ap)");

	private static final Pattern DECIMAL = Pattern
		.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]{1,6})?");

	private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,18}");

	/**
	 * Number and quantity indexes are PostgreSQL {@code double precision}: about 1e±307,
	 * with a margin for the ranges HAPI derives from a value's precision.
	 */
	private static final int LARGEST_MAGNITUDE = 300;

	/** Chains longer than this are not followed here (HAPI follows at most a few). */
	private static final int LONGEST_CHAIN = 5;

	private final ISearchParamRegistry searchParams;

	private final HttpProperties.Limits limits;

	SearchValueInterceptor(ISearchParamRegistry searchParams, HttpProperties.Limits limits) {
		this.searchParams = searchParams;
		this.limits = limits;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean checkSearchValues(RequestDetails request) {
		if (request.getOperation() == null) {
			checkParameters(request.getResourceName(), request.getParameters());
		}
		else if (request.getParameters() != null) {
			checkPaging(request.getParameters());
		}
		return true;
	}

	/**
	 * Checks the parameters of a search, or of the criteria of a conditional request, on
	 * a resource type (null for a search across all types).
	 */
	void checkParameters(String resourceName, Map<String, String[]> parameters) {
		if (parameters == null || parameters.isEmpty()) {
			return;
		}
		checkPaging(parameters);
		if (resourceName == null) {
			return;
		}
		parameters.forEach((name, values) -> {
			RestSearchParameterTypeEnum type = numericType(resourceName, name);
			if (type != null) {
				for (String value : values) {
					for (String alternative : value.split("(?<!\\\\),")) {
						checkNumber(name, alternative, type);
					}
				}
			}
		});
	}

	private static void checkPaging(Map<String, String[]> parameters) {
		for (String name : new String[] { "_count", "_offset", "_getpagesoffset" }) {
			checkWholeNumber(name, parameters.get(name));
		}
	}

	/**
	 * The type of a number or quantity search parameter, or null for any other parameter,
	 * also at the end of a chain ({@code has-member.value-quantity},
	 * {@code subject:Patient.x}) or a reverse chain
	 * ({@code _has:Observation:subject:value-quantity}). {@code :missing} takes true or
	 * false, not a number.
	 */
	private RestSearchParameterTypeEnum numericType(String resourceName, String name) {
		if (name.startsWith("_has:")) {
			String[] parts = name.split(":", 4);
			return (parts.length == 4) ? numericType(parts[1], parts[3]) : null;
		}
		if (name.startsWith("_")) {
			return null;
		}
		int dot = name.indexOf('.');
		if (dot >= 0 && name.chars().filter((c) -> c == '.').count() > LONGEST_CHAIN) {
			return null;
		}
		if (dot >= 0) {
			return numericTypeAtEndOfChain(resourceName, name.substring(0, dot), name.substring(dot + 1));
		}
		int colon = name.indexOf(':');
		if (colon >= 0 && name.substring(colon + 1).equals("missing")) {
			return null;
		}
		RuntimeSearchParam param = lookUp(resourceName, (colon >= 0) ? name.substring(0, colon) : name);
		RestSearchParameterTypeEnum type = (param != null) ? param.getParamType() : null;
		return (type == RestSearchParameterTypeEnum.NUMBER || type == RestSearchParameterTypeEnum.QUANTITY) ? type
				: null;
	}

	private RestSearchParameterTypeEnum numericTypeAtEndOfChain(String resourceName, String link, String rest) {
		int colon = link.indexOf(':');
		Set<String> targets;
		if (colon >= 0) {
			targets = Set.of(link.substring(colon + 1));
		}
		else {
			RuntimeSearchParam reference = lookUp(resourceName, link);
			if (reference == null || reference.getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
				return null;
			}
			targets = reference.getTargets();
		}
		for (String target : targets) {
			RestSearchParameterTypeEnum type = numericType(target, rest);
			if (type != null) {
				return type;
			}
		}
		return null;
	}

	private RuntimeSearchParam lookUp(String resourceName, String name) {
		try {
			return this.searchParams.getActiveSearchParam(resourceName, name, SearchParamLookupContextEnum.SEARCH);
		}
		catch (RuntimeException ex) {
			// an unknown resource type in a chain is HAPI's to report
			return null;
		}
	}

	private void checkNumber(String name, String value, RestSearchParameterTypeEnum type) {
		String number = PREFIX.matcher(value.trim()).replaceFirst("");
		if (type == RestSearchParameterTypeEnum.QUANTITY && number.indexOf('|') >= 0) {
			number = number.substring(0, number.indexOf('|'));
		}
		String example = (type == RestSearchParameterTypeEnum.QUANTITY)
				? "such as 72.5, gt72.5 or 72.5|http://unitsofmeasure.org|kg" : "such as 0.8 or gt0.5";
		if (!DECIMAL.matcher(number).matches()) {
			throw new InvalidRequestException("The search parameter " + name + " needs a decimal number " + example
					+ "; \"" + value + "\" is not one");
		}
		String mantissa = number.replaceFirst("[eE].*", "");
		long digits = mantissa.chars().filter(Character::isDigit).count();
		if (digits > this.limits.maxDecimalDigits()) {
			throw new InvalidRequestException("The search parameter " + name + " has a number with " + digits
					+ " digits; this server accepts at most "
					+ HttpProperties.Limits.describe("max-decimal-digits", this.limits.maxDecimalDigits()));
		}
		BigDecimal decimal = new BigDecimal(number);
		if (decimal.signum() != 0 && Math.abs((long) decimal.precision() - decimal.scale() - 1) > LARGEST_MAGNITUDE) {
			throw new InvalidRequestException(
					"The search parameter " + name + " has a number outside the range this server can search (1e-"
							+ LARGEST_MAGNITUDE + " to 1e" + LARGEST_MAGNITUDE + ")");
		}
	}

	private static void checkWholeNumber(String name, String[] values) {
		if (values == null) {
			return;
		}
		for (String value : values) {
			if (!WHOLE_NUMBER.matcher(value.trim()).matches() || Long.parseLong(value.trim()) > Integer.MAX_VALUE) {
				throw new InvalidRequestException(
						name + " must be a whole number from 0 to " + Integer.MAX_VALUE + ", such as " + name + "=20");
			}
		}
	}

}
