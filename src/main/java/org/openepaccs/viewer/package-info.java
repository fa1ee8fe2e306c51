/**
 * The out-of-hours viewer at {@code /viewer/}: a SMART app served by this server as
 * static HTML, CSS and plain JavaScript ({@code static/viewer}), and the headers that
 * keep it safe to show clinical data in (a strict Content-Security-Policy, no referrer,
 * no caching, no framing). Uses nothing else of ours: it talks to the server as any SMART
 * app does, over HTTP.
 */
package org.openepaccs.viewer;
