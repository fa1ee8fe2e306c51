/**
 * FHIR-level checks that refuse a malformed request before any work is done on it: search
 * values, resource ids, conditional headers, patches, transaction and batch entries, and
 * operations this server cannot run. Byte- and JSON-level limits come first, in
 * {@code http}.
 */
package org.openepaccs.requests;
