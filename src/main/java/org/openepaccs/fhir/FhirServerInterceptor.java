package org.openepaccs.fhir;

/**
 * Marks a bean holding HAPI {@code @Hook} methods for REST-level pointcuts; every such
 * bean is registered with the {@code RestfulServer}. Storage-level hooks belong on HAPI's
 * {@code IInterceptorService} instead, so that they also fire for DAO calls made by our
 * own services. Every implementation states its place with {@code @Order} and a band of
 * {@link InterceptorOrder}.
 */
public interface FhirServerInterceptor {

}
