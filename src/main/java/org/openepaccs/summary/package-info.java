/**
 * The out-of-hours plan summary: {@code Patient/{id}/$epaccs-summary} (or by NHS number)
 * answers with a FHIR document of the person's current plan, one section per thing a
 * clinician meeting them at 3 a.m. needs, each readable without a FHIR viewer. A thin
 * operation provider, one query for the record, a pure builder.
 */
package org.openepaccs.summary;
