/**
 * Bulk export ({@code $export}, FHIR Bulk Data Access): HAPI's asynchronous NDJSON
 * export, scoped to who asks (a GP system's own practice, or the whole ICB for the admin
 * role), with consent to share applied to every resource the job writes and each export's
 * poll URL and output files bound to the caller who started it.
 */
package org.openepaccs.export;
