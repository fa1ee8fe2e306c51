package org.openepaccs.fhir;

/**
 * Marks a bean holding HAPI {@code @Operation} methods; every such bean is registered
 * with the {@code RestfulServer}.
 */
public interface FhirOperationProvider {

}
