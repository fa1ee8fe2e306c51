/**
 * What a client is told when something fails, and what the log keeps: diagnostics
 * stripped of internal detail, server failures logged once with the request id, client
 * errors logged without identifiable data.
 */
package org.openepaccs.errors;
