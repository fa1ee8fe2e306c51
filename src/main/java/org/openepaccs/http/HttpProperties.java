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
	 * Limits checked before HAPI parses the request or queries the database. Each refusal
	 * names the limit's key so that a vendor can quote it and a deployer can find it.
	 *
	 * @param maxDecimalDigits most digits in one decimal (FHIR requires at least 18)
	 * @param maxDecimalExponent largest exponent, either sign, in a decimal such as
	 * {@code 6.02e23}; HAPI expands {@code 1e999999} into a million digits
	 * @param maxNestingDepth deepest nesting of JSON objects and arrays or XML elements
	 * @param maxStringLength longest string (in characters) in a request body
	 * @param maxArrayLength most elements in one JSON array, or repetitions of one XML
	 * element
	 * @param maxSearchParameters most search parameters (name=value pairs, ANDs included)
	 * in one request: each one is a join in the database query
	 * @param maxOrValues most comma-separated values (ORs) in one search parameter
	 * @param maxSortKeys most {@code _sort} keys: each one is a join with a sort
	 * @param maxIncludes most {@code _include} and {@code _revinclude} values together
	 * @param maxTransactionEntries most entries in a transaction or batch Bundle
	 * @param maxPatchOperations most operations in one JSON Patch or FHIRPath Patch
	 * @param maxPatchPathLength longest FHIRPath Patch path (in characters); HAPI's
	 * FHIRPath parser recurses once per step and overflows the stack on long paths
	 */
	public record Limits(@DefaultValue("32") @Min(18) @Max(1000) int maxDecimalDigits,
			@DefaultValue("100") @Min(0) @Max(10000) int maxDecimalExponent,
			@DefaultValue("64") @Min(16) @Max(1000) int maxNestingDepth,
			@DefaultValue("1MB") @NotNull DataSize maxStringLength,
			@DefaultValue("10000") @Min(100) @Max(10_000_000) int maxArrayLength,
			@DefaultValue("50") @Min(5) @Max(1000) int maxSearchParameters,
			@DefaultValue("100") @Min(1) @Max(10000) int maxOrValues,
			@DefaultValue("5") @Min(1) @Max(100) int maxSortKeys, @DefaultValue("10") @Min(0) @Max(100) int maxIncludes,
			@DefaultValue("1000") @Min(1) @Max(100_000) int maxTransactionEntries,
			@DefaultValue("100") @Min(1) @Max(10000) int maxPatchOperations,
			@DefaultValue("1000") @Min(64) @Max(4000) int maxPatchPathLength,
			@DefaultValue("20000") @Min(100) @Max(10_000_000) int maxElementsPerResource,
			@DefaultValue("1000") @Min(10) @Max(1_000_000) int maxExtensionsPerResource) {

		static final String PREFIX = "epaccs.http.limits.";

		@AssertTrue(message = "max-string-length must be between 1KB and 512MB")
		public boolean isMaxStringLengthInRange() {
			return this.maxStringLength == null || (this.maxStringLength.toBytes() >= 1024
					&& this.maxStringLength.toBytes() <= LARGEST_BODY_LIMIT.toBytes());
		}

		/**
		 * How a refusal names a limit: its value and the key that sets it, e.g. "50
		 * (epaccs.http.limits.max-search-parameters)".
		 */
		public static String describe(String key, long value) {
			return value + " (" + PREFIX + key + ")";
		}

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
