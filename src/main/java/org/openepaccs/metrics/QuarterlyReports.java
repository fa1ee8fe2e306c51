package org.openepaccs.metrics;

import java.time.LocalDate;
import java.util.Set;
import javax.sql.DataSource;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import org.hl7.fhir.r4.model.MeasureReport;
import org.openepaccs.common.Causes;
import org.openepaccs.common.StartupLock;
import org.openepaccs.conformance.ConformancePackage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Stores each indicator's report of the whole ICB for the last full quarter once that
 * quarter has ended, so that analysts search the published figures by period
 * ({@code MeasureReport?period=ge2026-07-01&period=le2026-09-30}) rather than recount
 * them, and a quarter's figures stay what they were when they were published while
 * {@code $evaluate-measure} gives today's count. Each report carries an identifier of its
 * indicator and quarter, so it is stored once: the check and the write run under the
 * database's start-up lock, so replicas starting or checking together store one. The
 * reports are written by the server itself; nobody writes a MeasureReport through the
 * API.
 */
@Component
class QuarterlyReports {

	static final String IDENTIFIER_SYSTEM = ConformancePackage.CANONICAL_BASE + "/Id/quarterly-measure-report";

	private static final Logger log = LoggerFactory.getLogger(QuarterlyReports.class);

	private final EvaluateMeasureProvider reports;

	private final DaoRegistry daoRegistry;

	private final DataSource dataSource;

	QuarterlyReports(EvaluateMeasureProvider reports, DaoRegistry daoRegistry, DataSource dataSource) {
		this.reports = reports;
		this.daoRegistry = daoRegistry;
		this.dataSource = dataSource;
	}

	/** Soon after start-up, then every six hours: a new quarter is noticed on its day. */
	@Scheduled(initialDelayString = "${epaccs.metrics.quarterly-reports-first-check:10s}",
			fixedDelayString = "${epaccs.metrics.quarterly-reports-check:6h}")
	void storeTheLastFullQuarter() {
		try {
			int stored = StartupLock.holding(this.dataSource, "storing the last full quarter's reports",
					() -> storeMissing(ReportingPeriod.lastFullQuarterBefore(MeasureReports.today())));
			if (stored > 0) {
				log.info("Stored {} indicator reports of the last full quarter", stored);
			}
		}
		catch (RuntimeException ex) {
			// tried again at the next check; the figures stay available live meanwhile.
			// While the database is away its outage is reported once (readiness and one
			// warning), so this says so only in passing
			if (databaseAway(ex)) {
				log.info("The last full quarter's indicator reports wait for the database: {}", ex.getMessage());
			}
			else {
				log.warn("Could not store the last full quarter's indicator reports: {}", ex.getMessage());
			}
		}
	}

	private static boolean databaseAway(Throwable failure) {
		return Causes.any(failure,
				(cause) -> cause instanceof java.sql.SQLTransientConnectionException
						|| cause instanceof java.sql.SQLNonTransientConnectionException
						|| (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null
								&& (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P")))
						|| cause instanceof org.springframework.dao.DataAccessResourceFailureException
						|| cause instanceof org.springframework.transaction.CannotCreateTransactionException);
	}

	/** The reports of the quarter not stored yet, stored; how many. */
	int storeMissing(ReportingPeriod quarter) {
		IFhirResourceDao<MeasureReport> dao = this.daoRegistry.getResourceDao(MeasureReport.class);
		int stored = 0;
		for (Indicator indicator : Indicator.values()) {
			String identifier = identifierOf(indicator, quarter.start());
			SearchParameterMap existing = SearchParameterMap.newSynchronous()
				.add(MeasureReport.SP_IDENTIFIER, new TokenParam(IDENTIFIER_SYSTEM, identifier));
			if (!dao.searchForResourceIds(existing, new SystemRequestDetails()).isEmpty()) {
				continue;
			}
			MeasureReport report = this.reports.report(indicator, quarter, Set.of());
			report.getIdentifier().clear();
			report.getIdentifierFirstRep().setSystem(IDENTIFIER_SYSTEM).setValue(identifier);
			dao.create(report, new SystemRequestDetails());
			stored++;
		}
		return stored;
	}

	static String identifierOf(Indicator indicator, LocalDate quarterStart) {
		return indicator.measureId() + "/" + quarterStart;
	}

}
