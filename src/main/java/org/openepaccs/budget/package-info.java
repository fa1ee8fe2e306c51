/**
 * Time and database limits on a request: the request's deadline carried into every SQL
 * statement it runs, cancellation when its client has gone, and the answers given when a
 * request runs over its budget (503) or the database cannot be reached (503 with
 * {@code Retry-After}); while it cannot, readiness says so at once and the log says so
 * once.
 */
package org.openepaccs.budget;
