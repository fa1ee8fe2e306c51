package org.openepaccs.fhir;

/**
 * The order in which {@link FhirServerInterceptor}s and {@link FhirStorageInterceptor}s
 * are registered, given by each one's {@code @Order}. HAPI calls the hooks of one
 * pointcut by their {@code @Hook(order)} first and by registration second, so a hook
 * whose place matters states its {@code @Hook(order)}; these bands settle the rest: the
 * checks that refuse a malformed request see it before any feature, and the translation
 * of failures into answers runs before a feature reads the answer.
 */
public final class InterceptorOrder {

	/** Refusing malformed requests before any rule reads them ({@code requests}). */
	public static final int REQUEST_CHECKS = 100;

	/**
	 * Turning failures into the answers clients get: deadlines, database outages and
	 * sanitised, logged errors ({@code budget}, {@code errors}).
	 */
	public static final int FAILURES = 200;

	/**
	 * Features: access and consent, records, conformance, audit, register, notification.
	 */
	public static final int FEATURES = 1000;

	private InterceptorOrder() {
	}

}
