package org.openepaccs.fhir;

import java.net.URI;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The FHIR REST API under {@code epaccs.fhir}.
 *
 * @param serverName name reported in the CapabilityStatement ({@code software.name})
 * @param serverAddress public base URL (e.g. {@code https://epaccs.example.nhs.uk/fhir})
 * when behind a proxy that hides it; empty means "as the client called us"
 * @param defaultPageSize search page size when the client gives no {@code _count}
 * @param maxPageSize the largest {@code _count} honoured; larger values are reduced to
 * this
 * @param unknownSearchParameters what a search with a parameter the server does not know
 * gets: {@code strict} (400, naming the parameter) or {@code lenient} (ignored); clients
 * may still ask per request with {@code Prefer: handling=}
 */
@Validated
@ConfigurationProperties("epaccs.fhir")
public record FhirServerProperties(@DefaultValue("EPaCCS FHIR Server") @NotBlank String serverName, URI serverAddress,
		@DefaultValue("20") @Min(1) @Max(1000) int defaultPageSize,
		@DefaultValue("200") @Min(1) @Max(1000) int maxPageSize,
		@DefaultValue("strict") @NotNull UnknownSearchParameters unknownSearchParameters) {

	public enum UnknownSearchParameters {

		STRICT, LENIENT

	}

	@AssertTrue(message = "default-page-size must not be larger than max-page-size")
	public boolean isDefaultPageSizeWithinMaximum() {
		return this.defaultPageSize <= this.maxPageSize;
	}

	@AssertTrue(message = "server-address must be an absolute http(s) URL such as https://epaccs.example.nhs.uk/fhir")
	public boolean isServerAddressAbsoluteHttp() {
		return this.serverAddress == null
				|| ("http".equals(this.serverAddress.getScheme()) || "https".equals(this.serverAddress.getScheme()))
						&& this.serverAddress.getHost() != null;
	}

}
