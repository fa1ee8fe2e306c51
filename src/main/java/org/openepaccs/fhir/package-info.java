/**
 * The HAPI FHIR {@code RestfulServer} on {@code /fhir/*}: its providers, paging and
 * CapabilityStatement, and the types by which every other package plugs in
 * ({@link org.openepaccs.fhir.FhirServerInterceptor},
 * {@link org.openepaccs.fhir.FhirStorageInterceptor},
 * {@link org.openepaccs.fhir.FhirOperationProvider},
 * {@link org.openepaccs.fhir.OwnResourceProvider}, registered in the order of
 * {@link org.openepaccs.fhir.InterceptorOrder}), plus the searches the server makes for
 * itself. It names no class of another package of ours.
 */
package org.openepaccs.fhir;
