/**
 * The ICB dashboard at {@code /dashboard/}: a page served by this server as static HTML,
 * CSS and plain JavaScript ({@code static/dashboard}) with Chart.js from its webjar,
 * where an analyst signs in (authorization code with PKCE) and sees the indicators of
 * {@code Measure/{id}/$evaluate-measure} as charts, tables and CSV. Uses nothing else of
 * ours: it reads the FHIR API with the analyst's token, as any app does, so what it shows
 * is exactly what the API discloses.
 */
package org.openepaccs.dashboard;
