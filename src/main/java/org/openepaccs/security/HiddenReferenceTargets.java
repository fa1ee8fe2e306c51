package org.openepaccs.security;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.jpa.searchparam.extractor.PathAndRef;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;

/**
 * The references of a written resource that point at a record hidden from the writer,
 * with the path HAPI names a reference by when its target is not stored (the path of the
 * search parameter that indexes it, the first in the order HAPI checks them). A write
 * that refers to a hidden record is then answered in HAPI's words for a reference to
 * nothing, whatever element holds the reference: the person's compartment,
 * {@code Observation.focus}, a performer, {@code derivedFrom}. A reference HAPI does not
 * index it does not check either, so one to nothing is stored there too, and one to a
 * hidden record is left alone alike. Each target is looked up once per request.
 */
final class HiddenReferenceTargets {

	private static final String SEEN = HiddenReferenceTargets.class.getName() + ".seen";

	private final ISearchParamExtractor extractor;

	private final DaoRegistry daoRegistry;

	private final PeopleOfRecords people;

	private final ConsentDirectory directory;

	HiddenReferenceTargets(ISearchParamExtractor extractor, DaoRegistry daoRegistry, PeopleOfRecords people,
			ConsentDirectory directory) {
		this.extractor = extractor;
		this.daoRegistry = daoRegistry;
		this.people = people;
		this.directory = directory;
	}

	/** A reference to a hidden record: its target and the path HAPI names it by. */
	record Hidden(String target, String path) {
	}

	/**
	 * The first reference of {@code resource} to a record hidden from
	 * {@code organisation}, in HAPI's order, leaving out those to {@code decided} (the
	 * people whose record the resource is part of, which the caller has decided on).
	 */
	Optional<Hidden> first(IBaseResource resource, String organisation, Set<String> decided, RequestDetails request) {
		if (!this.directory.anyHiddenFrom(organisation)) {
			return Optional.empty();
		}
		for (PathAndRef link : this.extractor.extractResourceLinks(resource, false)) {
			String target = literalTarget(link);
			if (target != null && !decided.contains(target) && isHidden(target, organisation, request)) {
				return Optional.of(new Hidden(target, link.getPath()));
			}
		}
		return Optional.empty();
	}

	/**
	 * The path HAPI names a reference to {@code target} by, or null if it indexes none.
	 */
	String pathTo(IBaseResource resource, String target) {
		for (PathAndRef link : this.extractor.extractResourceLinks(resource, false)) {
			if (target.equals(literalTarget(link))) {
				return link.getPath();
			}
		}
		return null;
	}

	/**
	 * {@code Type/id} of a reference to a stored resource of this server; null for a
	 * canonical, contained, absolute, conditional or placeholder reference, which HAPI
	 * resolves in its own ways.
	 */
	private String literalTarget(PathAndRef link) {
		if (link.getRef() == null || link.isCanonical()) {
			return null;
		}
		IIdType id = link.getRef().getReferenceElement();
		if (id == null || id.isEmpty() || id.isLocal() || id.isAbsolute() || !id.hasResourceType() || !id.hasIdPart()
				|| id.getValue().startsWith("urn:") || id.getValue().contains("?")
				|| !this.daoRegistry.isResourceTypeSupported(id.getResourceType())) {
			return null;
		}
		return id.getResourceType() + "/" + id.getIdPart();
	}

	private boolean isHidden(String target, String organisation, RequestDetails request) {
		@SuppressWarnings("unchecked")
		Map<String, Boolean> seen = (Map<String, Boolean>) request.getUserData()
			.computeIfAbsent(SEEN, (key) -> new HashMap<String, Boolean>());
		return seen.computeIfAbsent(target, (key) -> {
			String type = target.substring(0, target.indexOf('/'));
			String id = target.substring(target.indexOf('/') + 1);
			if ("Patient".equals(type)) {
				return this.directory.isHiddenFrom(id, organisation);
			}
			if (AccessPolicy.categoryOf(type) != AccessPolicy.Category.CLINICAL) {
				return false;
			}
			IBaseResource stored;
			try {
				stored = this.daoRegistry.getResourceDao(type).read(new IdType(type, id), new SystemRequestDetails());
			}
			catch (ResourceNotFoundException | ResourceGoneException ex) {
				return false; // HAPI answers for a reference to nothing
			}
			return this.people.patientsOf(stored)
				.stream()
				.anyMatch((patient) -> this.directory.isHiddenFrom(patient, organisation));
		});
	}

}
