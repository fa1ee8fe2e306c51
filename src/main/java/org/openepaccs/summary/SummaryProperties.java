package org.openepaccs.summary;

import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The plan summary under {@code epaccs.summary}: who the summary names as its custodian,
 * the organisation operating this EPaCCS that answers for the record it is made from.
 * There is no other setting for the operator, so a deployment names itself here; until it
 * does, the custodian is the project's generic name, which at least tells a reader the
 * document came from this service and not from a GP system.
 *
 * @param custodianName the operating organisation's name
 * @param custodianOdsCode its ODS code, if it has one
 * @param serverName what the summary calls the software that assembled it (its author)
 */
@Validated
@ConfigurationProperties("epaccs.summary")
record SummaryProperties(@DefaultValue("Open EPaCCS service") @NotBlank String custodianName, String custodianOdsCode,
		@DefaultValue("Open EPaCCS server") @NotBlank String serverName) {

	static SummaryProperties defaults() {
		return new SummaryProperties("Open EPaCCS service", null, "Open EPaCCS server");
	}

}
