package org.openepaccs.server;

/**
 * Marks a bean holding HAPI {@code @Hook} methods for REST-level pointcuts; every such
 * bean is registered with the {@code RestfulServer}. Storage-level hooks belong on HAPI's
 * {@code IInterceptorService} instead, so that they also fire for DAO calls made by our
 * own services.
 */
public interface FhirServerInterceptor {

}
