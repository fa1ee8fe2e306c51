/**
 * HTTP concerns in front of the FHIR servlet: request ids in logs and responses, the
 * limits on a request's size and shape (bytes, JSON and XML nesting, search values,
 * decimals), CORS (closed unless origins are configured) and FHIR OperationOutcome bodies
 * for errors the servlet container raises.
 */
package org.openepaccs.http;
