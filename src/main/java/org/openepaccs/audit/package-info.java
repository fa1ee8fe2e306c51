/**
 * The audit trail: an {@code AuditEvent} (IHE BALP style) for every FHIR interaction,
 * written through a durable outbox so that no event is lost.
 */
package org.openepaccs.audit;
