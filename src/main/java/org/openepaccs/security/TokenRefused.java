package org.openepaccs.security;

/**
 * A request refused before it reached the FHIR layer: no token or a bad one (401), or
 * access denied by the web layer (403). Published as an application event so the audit
 * trail records it without the security layer knowing about auditing.
 *
 * @param status the HTTP status answered
 * @param method the HTTP method
 * @param path the request path (no query string: it may hold identifiers)
 * @param reason why, as told to the client
 * @param address the client's network address
 * @param requestId the request id that is also in the logs
 */
public record TokenRefused(int status, String method, String path, String reason, String address, String requestId) {

}
