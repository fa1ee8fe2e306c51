package org.openepaccs.export;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Moves export jobs on between their steps. HAPI's batch jobs advance from one step to
 * the next on a maintenance pass, which HAPI schedules once a minute; with fast tracking
 * (storage settings) a job whose steps each made one chunk advances at once, but one
 * whose step made several (an export writing several files) would wait a minute per step.
 * A pass reads only the job tables, so it is asked for every
 * {@code epaccs.export.progress-interval} (default 5 s); the clustered scheduler runs it
 * on one replica at a time.
 */
@Component
class ExportProgress {

	private final IJobMaintenanceService maintenance;

	ExportProgress(IJobMaintenanceService maintenance) {
		this.maintenance = maintenance;
	}

	@Scheduled(fixedDelayString = "${epaccs.export.progress-interval:5s}",
			initialDelayString = "${epaccs.export.progress-interval:5s}")
	void advance() {
		this.maintenance.triggerMaintenancePass();
	}

}
