package org.openepaccs.budget;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How much of the database one request, and one client, may take, under
 * {@code epaccs.database}: so that one client's expensive or runaway requests cannot slow
 * down an out-of-hours clinician's lookup.
 *
 * @param requestTimeBudget how long one FHIR request may use the database; its statement
 * is cancelled when the time is up, its transaction rolled back and its connection
 * returned, and the client gets 400 ({@code too-costly})
 * @param clientShare the share of the connection pool that the requests of one client
 * (OAuth2 client id) may hold at once
 * @param clientWait how long a request beyond its client's share waits for a turn before
 * it gets 429 with {@code Retry-After}
 * @param cancelOnDisconnect whether a request whose client closes the connection before
 * the answer has its database work cancelled at once rather than at the end of its budget
 * (on Linux, where the kernel's connection table shows it; see {@link ClientConnections})
 */
@Validated
@ConfigurationProperties("epaccs.database")
public record DatabaseBudgetProperties(@DefaultValue("30s") @NotNull Duration requestTimeBudget,
		@DefaultValue("0.5") @DecimalMin("0.05") @DecimalMax("1.0") double clientShare,
		@DefaultValue("2s") @NotNull Duration clientWait, @DefaultValue("true") boolean cancelOnDisconnect) {

	@AssertTrue(message = "request-time-budget must be between 100ms and 1h")
	public boolean isRequestTimeBudgetInRange() {
		return this.requestTimeBudget == null || (this.requestTimeBudget.compareTo(Duration.ofMillis(100)) >= 0
				&& this.requestTimeBudget.compareTo(Duration.ofHours(1)) <= 0);
	}

	@AssertTrue(message = "client-wait must be between 0 and 60s")
	public boolean isClientWaitInRange() {
		return this.clientWait == null
				|| (!this.clientWait.isNegative() && this.clientWait.compareTo(Duration.ofSeconds(60)) <= 0);
	}

}
