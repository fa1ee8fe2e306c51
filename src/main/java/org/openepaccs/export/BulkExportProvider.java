package org.openepaccs.export;

import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import org.openepaccs.fhir.FhirOperationProvider;

import org.springframework.stereotype.Component;

/**
 * HAPI's bulk export operations ({@code $export} at server, Patient and Group level, and
 * {@code $export-poll-status}), registered with the REST server like every other
 * operation provider. Which of them a caller may use is decided by the access gate and
 * {@link ExportRules}, not here.
 */
@Component
class BulkExportProvider extends BulkDataExportProvider implements FhirOperationProvider {

}
