package org.openepaccs.http;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * HTTP limits and CORS under {@code epaccs.http}.
 *
 * @param maxRequestBody the largest request body accepted; larger ones get 413 before
 * anything is parsed
 * @param cors cross-origin access for browser applications
 * @param limits limits on the content of request bodies and query strings, checked before
 * HAPI parses them
 */
@Validated
@ConfigurationProperties("epaccs.http")
public record HttpProperties(@DefaultValue("10MB") @NotNull DataSize maxRequestBody,
		@DefaultValue @Valid @NotNull Cors cors, @DefaultValue @Valid @NotNull Limits limits) {

	static final DataSize LARGEST_BODY_LIMIT = DataSize.ofMegabytes(512);

	@AssertTrue(message = "max-request-body must be between 1KB and 512MB")
	public boolean isMaxRequestBodyInRange() {
		return this.maxRequestBody == null || (this.maxRequestBody.toBytes() >= 1024
				&& this.maxRequestBody.toBytes() <= LARGEST_BODY_LIMIT.toBytes());
	}

	/**
	 * @param maxDecimalDigits most digits in one decimal (FHIR requires at least 18)
	 * @param maxDecimalExponent largest exponent, either sign, in a decimal such as
	 * {@code 6.02e23}; HAPI expands {@code 1e999999} into a million digits
	 * @param maxNestingDepth deepest nesting of JSON objects and arrays or XML elements
	 */
	public record Limits(@DefaultValue("32") @Min(18) @Max(1000) int maxDecimalDigits,
			@DefaultValue("100") @Min(0) @Max(10000) int maxDecimalExponent,
			@DefaultValue("64") @Min(16) @Max(1000) int maxNestingDepth) {

	}

	/**
	 * @param allowedOrigins browser origins (scheme, host and optional port, e.g.
	 * {@code https://viewer.example.org}) allowed to call the API; empty (the default)
	 * allows none
	 */
	public record Cors(@DefaultValue List<String> allowedOrigins) {

		@AssertTrue(message = "allowed-origins must be origins such as https://viewer.example.org "
				+ "(scheme, host, optional port; no path, no wildcard)")
		public boolean isEveryOriginExplicit() {
			return this.allowedOrigins == null || this.allowedOrigins.stream().allMatch(Cors::isOrigin);
		}

		private static boolean isOrigin(String value) {
			try {
				URI uri = new URI(value);
				return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null
						&& !uri.getHost().contains("*") && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
						&& uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
			}
			catch (Exception ex) {
				return false;
			}
		}

	}

}
