/**
 * HTTP concerns in front of the FHIR servlet: request ids in logs and responses, the
 * request body size limit, CORS (closed unless origins are configured) and FHIR
 * OperationOutcome bodies for errors the servlet container raises.
 */
package org.openepaccs.http;
