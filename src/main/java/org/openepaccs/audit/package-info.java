/**
 * The audit trail: an {@code AuditEvent} (IHE BALP style) for every FHIR interaction,
 * stored in tables of its own before the response leaves the server (with the write, for
 * a write), so that no event is lost.
 */
package org.openepaccs.audit;
