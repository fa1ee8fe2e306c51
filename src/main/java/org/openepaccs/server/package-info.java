/**
 * HAPI FHIR JPA (R4) wiring: storage (entity manager, schema migration, storage
 * settings), the {@code RestfulServer} on {@code /fhir/*} and its CapabilityStatement.
 * Features plug in by type ({@link FhirServerInterceptor},
 * {@link FhirOperationProvider}); this package never names a feature class.
 */
package org.openepaccs.server;
