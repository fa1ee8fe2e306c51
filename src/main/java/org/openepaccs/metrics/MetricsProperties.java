package org.openepaccs.metrics;

import java.time.Duration;
import java.util.Map;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The ICB metrics under {@code epaccs.metrics}: the small-number rule and the practices'
 * list sizes. The defaults are the rule NHS statistics publish by (counts 1–7 suppressed,
 * others rounded to the nearest 5).
 *
 * @param smallestShownCount the smallest count shown; counts from 1 to one less are
 * suppressed (default 8)
 * @param roundingBase shown counts are rounded to the nearest multiple of this (default
 * 5; 1 shows them exactly)
 * @param medianMinimumCount a median is shown only for a cell of at least this many
 * people (default 10)
 * @param listSizes the registered list size of each GP practice by ODS code, for rates
 * per 1,000 registered population; without it, counts only
 * @param fullReadEvery how often the facts of everyone are read again in the background,
 * beside keeping them current with each change (default 15 minutes): it counts what
 * changes cannot show, such as a deleted record or one moved to another person
 */
@Validated
@ConfigurationProperties("epaccs.metrics")
record MetricsProperties(@DefaultValue("8") @Min(2) @Max(1000) int smallestShownCount,
		@DefaultValue("5") @Min(1) @Max(100) int roundingBase, @DefaultValue("10") @Min(2) int medianMinimumCount,
		@NotNull @DefaultValue Map<String, @NotNull @Positive Integer> listSizes,
		@NotNull @DefaultValue("15m") Duration fullReadEvery) {

	static MetricsProperties defaults() {
		return new MetricsProperties(8, 5, 10, Map.of(), Duration.ofMinutes(15));
	}

}
