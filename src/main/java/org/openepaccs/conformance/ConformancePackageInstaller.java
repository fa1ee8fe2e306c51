package org.openepaccs.conformance;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.jpa.model.util.JpaConstants;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SearchParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Writes the conformance package into the repository at start-up, so that
 * {@code /fhir/StructureDefinition} and the rest serve it and HAPI indexes its
 * SearchParameters. Each resource keeps the id it has in the package and is written by
 * update, so a restart changes nothing unless the package did (HAPI stores no new version
 * for an unchanged resource). No network: the package comes from the application's
 * classpath.
 */
@Component
class ConformancePackageInstaller implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(ConformancePackageInstaller.class);

	private final ConformancePackage conformancePackage;

	private final DaoRegistry daoRegistry;

	private final ISearchParamRegistry searchParamRegistry;

	ConformancePackageInstaller(ConformancePackage conformancePackage, DaoRegistry daoRegistry,
			ISearchParamRegistry searchParamRegistry) {
		this.conformancePackage = conformancePackage;
		this.daoRegistry = daoRegistry;
		this.searchParamRegistry = searchParamRegistry;
	}

	@Override
	public void run(ApplicationArguments args) {
		install();
	}

	/**
	 * Whether no resource of the search parameter's base types is stored yet, so that
	 * there is nothing to reindex. HAPI starts a reindex job for every new or changed
	 * search parameter; on a new database those jobs, queued at start-up, ran later over
	 * everything loaded in the meantime (16,000 resources, six times over, while a
	 * population was loading and being searched), so they are skipped when there is
	 * nothing yet. A search parameter changed by an upgrade still reindexes what is
	 * there.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	private boolean nothingToReindex(SearchParameter searchParameter) {
		for (CodeType base : searchParameter.getBase()) {
			if (!this.daoRegistry.isResourceTypeSupported(base.getValue())) {
				return false;
			}
			IFhirResourceDao dao = this.daoRegistry.getResourceDao(base.getValue());
			SearchParameterMap any = SearchParameterMap.newSynchronous().setCount(1);
			if (!dao.search(any, new SystemRequestDetails()).getResources(0, 1).isEmpty()) {
				return false;
			}
		}
		return true;
	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	void install() {
		long started = System.nanoTime();
		int changed = 0;
		for (IBaseResource resource : this.conformancePackage.resources()) {
			IFhirResourceDao dao = this.daoRegistry.getResourceDao(resource.fhirType());
			// a copy: the DAO stamps version and time on what it stores, and the package
			// is shared
			SystemRequestDetails request = new SystemRequestDetails();
			if (resource instanceof SearchParameter searchParameter && nothingToReindex(searchParameter)) {
				request.getUserData().put(JpaConstants.SKIP_REINDEX_ON_UPDATE, true);
			}
			DaoMethodOutcome outcome = dao.update(((Resource) resource).copy(), request);
			if (!outcome.isNop()) {
				changed++;
			}
		}
		if (changed > 0) {
			this.searchParamRegistry.forceRefresh();
		}
		log.info("Installed conformance package {}#{}: {} resources, {} new or changed, in {} ms",
				this.conformancePackage.name(), this.conformancePackage.version(),
				this.conformancePackage.resources().size(), changed, (System.nanoTime() - started) / 1_000_000);
	}

}
