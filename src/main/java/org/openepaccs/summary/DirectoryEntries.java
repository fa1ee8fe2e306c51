package org.openepaccs.summary;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Resource;
import org.openepaccs.fhir.InternalSearch;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The current version of directory entries (organisations, practitioners, their roles) by
 * reference, for the plan summary. Every summary names a handful, the same ones again and
 * again (a practice, its GPs, the hospice), and they change rarely; loading them through
 * three FHIR searches would be a large share of a summary's cost. So each entry is kept
 * once loaded, by its version, and a summary asks the database only which version of each
 * is current (one indexed query): a changed entry is loaded again at once, a deleted one
 * is left out, on every replica alike.
 */
@Component
class DirectoryEntries {

	/**
	 * A few thousand organisations and people a region's records name; about 5 KB each.
	 */
	private static final int MOST_KEPT = 5_000;

	/** Read-only to callers: every caller gets copies. */
	private final Map<String, Resource> byVersion = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Resource> eldest) {
			return size() > MOST_KEPT;
		}
	});

	private final JdbcTemplate jdbc;

	private final DaoRegistry daoRegistry;

	DirectoryEntries(JdbcTemplate jdbc, DaoRegistry daoRegistry) {
		this.jdbc = jdbc;
		this.daoRegistry = daoRegistry;
	}

	/**
	 * The current version of each of these entries ({@code Type/id}) that exists and is
	 * not deleted, a copy the caller may change.
	 */
	Map<String, Resource> current(Collection<String> references) {
		Map<String, Resource> current = new HashMap<>();
		if (references.isEmpty()) {
			return current;
		}
		Map<String, List<String>> missing = new HashMap<>();
		for (Map.Entry<String, Long> version : currentVersions(references).entrySet()) {
			Resource kept = this.byVersion.get(version.getKey() + "/_history/" + version.getValue());
			if (kept != null) {
				current.put(version.getKey(), kept.copy());
			}
			else {
				String[] typeAndId = version.getKey().split("/", 2);
				missing.computeIfAbsent(typeAndId[0], (type) -> new ArrayList<>()).add(typeAndId[1]);
			}
		}
		for (Map.Entry<String, List<String>> type : missing.entrySet()) {
			TokenOrListParam ids = new TokenOrListParam();
			type.getValue().forEach((id) -> ids.add(new TokenParam(id)));
			for (IBaseResource found : this.daoRegistry.getResourceDao(type.getKey())
				.search(InternalSearch.all().add("_id", ids), new SystemRequestDetails())
				.getResources(0, Integer.MAX_VALUE)) {
				Resource resource = (Resource) found;
				String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
				this.byVersion.put(reference + "/_history/" + resource.getIdElement().getVersionIdPart(), resource);
				current.put(reference, resource.copy());
			}
		}
		return current;
	}

	/**
	 * Which version of each is current, from HAPI's resource table (its unique index on
	 * type and id): the one thing a summary must ask the database about a directory
	 * entry.
	 */
	private Map<String, Long> currentVersions(Collection<String> references) {
		Set<String> distinct = new LinkedHashSet<>(references);
		Set<String> types = new LinkedHashSet<>();
		Set<String> ids = new LinkedHashSet<>();
		for (String reference : distinct) {
			String[] typeAndId = reference.split("/", 2);
			types.add(typeAndId[0]);
			ids.add(typeAndId[1]);
		}
		List<Object> arguments = new ArrayList<>(types);
		arguments.addAll(ids);
		Map<String, Long> versions = new HashMap<>();
		// type and id as two lists, which any database answers from the (type, id) index;
		// a type and id that only match across two references are dropped below
		this.jdbc
			.query("SELECT RES_TYPE, FHIR_ID, RES_VER FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS NULL AND RES_TYPE IN ("
					+ placeholders(types.size()) + ") AND FHIR_ID IN (" + placeholders(ids.size()) + ")", (row) -> {
						String reference = row.getString(1) + "/" + row.getString(2);
						if (distinct.contains(reference)) {
							versions.put(reference, row.getLong(3));
						}
					}, arguments.toArray());
		return versions;
	}

	private static String placeholders(int count) {
		return String.join(", ", Collections.nCopies(count, "?"));
	}

}
