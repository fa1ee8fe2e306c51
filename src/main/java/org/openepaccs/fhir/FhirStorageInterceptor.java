package org.openepaccs.fhir;

/**
 * Marks a bean holding HAPI {@code @Hook} methods for storage pointcuts
 * ({@code STORAGE_PRESTORAGE_*} and the like); every such bean is registered on HAPI's
 * JPA {@code IInterceptorService}, so it fires for REST requests, transaction entries and
 * DAO calls made by our own services alike. Every implementation states its place with
 * {@code @Order} and a band of {@link InterceptorOrder}.
 */
public interface FhirStorageInterceptor {

}
