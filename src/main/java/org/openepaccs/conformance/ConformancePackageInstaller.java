package org.openepaccs.conformance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.jpa.model.util.JpaConstants;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SearchParameter;
import org.openepaccs.common.StartupLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes the conformance package into the repository at start-up, so that
 * {@code /fhir/StructureDefinition} and the rest serve it and HAPI indexes its
 * SearchParameters. Each resource keeps the id it has in the package and is written by
 * update, so a restart changes nothing unless the package did (HAPI stores no new version
 * for an unchanged resource). No network: the package comes from the application's
 * classpath.
 * <p>
 * Replicas starting together would write the same ids at once, and all but one fail: the
 * install runs under the start-up lock ({@link StartupLock}), and records the package's
 * content hash ({@code EPACCS_INSTALLED_PACKAGE}), so a replica that waited, or any later
 * start of the same build, finds it installed and skips it. On a rolling update the first
 * replica of the new build installs the new package; a replica of the old build that
 * starts meanwhile leaves the newer version installed rather than put its own back.
 */
@Component
class ConformancePackageInstaller implements ApplicationRunner {

	static final String INSTALLED = "EPACCS_INSTALLED_PACKAGE";

	private static final Logger log = LoggerFactory.getLogger(ConformancePackageInstaller.class);

	private final ConformancePackage conformancePackage;

	private final DaoRegistry daoRegistry;

	private final ISearchParamRegistry searchParamRegistry;

	private final FhirContext fhirContext;

	private final DataSource dataSource;

	private final JdbcTemplate jdbc;

	ConformancePackageInstaller(ConformancePackage conformancePackage, DaoRegistry daoRegistry,
			ISearchParamRegistry searchParamRegistry, FhirContext fhirContext, DataSource dataSource,
			JdbcTemplate jdbc) {
		this.conformancePackage = conformancePackage;
		this.daoRegistry = daoRegistry;
		this.searchParamRegistry = searchParamRegistry;
		this.fhirContext = fhirContext;
		this.dataSource = dataSource;
		this.jdbc = jdbc;
	}

	@Override
	public void run(ApplicationArguments args) {
		StartupLock.holding(this.dataSource, "installing the conformance package", () -> {
			installUnlessDone();
			return null;
		});
	}

	private void installUnlessDone() {
		String hash = contentHash();
		String name = this.conformancePackage.name();
		String version = this.conformancePackage.version();
		List<Map<String, Object>> rows = this.jdbc
			.queryForList("SELECT PACKAGE_VERSION, CONTENT_SHA256 FROM " + INSTALLED + " WHERE PACKAGE_NAME = ?", name);
		if (!rows.isEmpty()) {
			String installedVersion = (String) rows.get(0).get("PACKAGE_VERSION");
			if (hash.equals(rows.get(0).get("CONTENT_SHA256"))) {
				// what the replica that installed it did not tell this one's registry
				this.searchParamRegistry.forceRefresh();
				log.info("Conformance package {}#{} already installed", name, version);
				return;
			}
			if (isNewer(installedVersion, version)) {
				log.warn("Conformance package {}#{} is installed, newer than this build's #{}: left as it is", name,
						installedVersion, version);
				this.searchParamRegistry.forceRefresh();
				return;
			}
		}
		install();
		if (this.jdbc.update(
				"UPDATE " + INSTALLED
						+ " SET PACKAGE_VERSION = ?, CONTENT_SHA256 = ?, INSTALLED = ? WHERE PACKAGE_NAME = ?",
				version, hash, Timestamp.from(Instant.now()), name) == 0) {
			this.jdbc.update(
					"INSERT INTO " + INSTALLED
							+ " (PACKAGE_NAME, PACKAGE_VERSION, CONTENT_SHA256, INSTALLED) VALUES (?, ?, ?, ?)",
					name, version, hash, Timestamp.from(Instant.now()));
		}
	}

	/**
	 * Whether version {@code a} is later than {@code b}, comparing their dot-separated
	 * numbers (a part that is not a number counts as 0).
	 */
	static boolean isNewer(String a, String b) {
		String[] left = a.split("[.-]");
		String[] right = b.split("[.-]");
		for (int i = 0; i < Math.max(left.length, right.length); i++) {
			long l = (i < left.length) ? number(left[i]) : 0;
			long r = (i < right.length) ? number(right[i]) : 0;
			if (l != r) {
				return l > r;
			}
		}
		return false;
	}

	private static long number(String part) {
		return part.matches("\\d{1,18}") ? Long.parseLong(part) : 0;
	}

	/** SHA-256 of the resources as they are written, in the order they are written. */
	private String contentHash() {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			IParser json = this.fhirContext.newJsonParser();
			for (IBaseResource resource : this.conformancePackage.resources()) {
				digest.update(json.encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8));
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
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
