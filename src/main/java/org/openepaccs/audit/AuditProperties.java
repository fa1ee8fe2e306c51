package org.openepaccs.audit;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The audit trail, under {@code epaccs.audit}.
 *
 * @param synchronousReadCommit {@code true} waits for PostgreSQL to flush a read's audit
 * event to disk before the response is sent. By default the event is committed before the
 * response but flushed by PostgreSQL within a fraction of a second after it: the event
 * survives a crash or restart of this server, and only a crash of the database machine in
 * that fraction of a second can lose it. Writes' events always commit with the write.
 * @param readConnections the connections kept for recording reads' events (PostgreSQL)
 */
@Validated
@ConfigurationProperties("epaccs.audit")
public record AuditProperties(@DefaultValue("false") boolean synchronousReadCommit,
		@DefaultValue("4") @Min(1) @Max(50) int readConnections) {

}
