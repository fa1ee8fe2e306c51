package org.openepaccs.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.i18n.Msg;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Provenance;
import org.openepaccs.fhir.OwnResourceProvider;
import org.openepaccs.fhir.ShownResources;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * {@code Provenance} read and search, one per change a client made, from
 * {@link RecordChanges}: "who changed the CPR decision and when" is {@code GET
 * /fhir/Provenance?target=Flag/{id}}; everything changed in one person's record is
 * {@code Provenance?patient=Patient/{id}}. Read-only: the server writes them, with each
 * change, in its transaction. What is shown goes through the same consent and access
 * rules as any stored record.
 */
@Component
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class ProvenanceProvider implements OwnResourceProvider {

	private static final String PAGE_PREFIX = "provenance-";

	private final RecordChanges changes;

	private final ShownResources shown;

	ProvenanceProvider(RecordChanges changes, ShownResources shown, FhirContext fhirContext) {
		this.changes = changes;
		this.shown = shown;
		// which version a change made is the point of its Provenance; HAPI drops
		// versions from references when it writes a resource unless told not to
		Set<String> keepVersions = new HashSet<>(
				fhirContext.getParserOptions().getDontStripVersionsFromReferencesAtPaths());
		keepVersions.add("Provenance.target");
		fhirContext.getParserOptions().setDontStripVersionsFromReferencesAtPaths(keepVersions);
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return Provenance.class;
	}

	/** HAPI's merge operation needs the Provenance DAO to exist. */
	@Override
	public boolean replacesStorage() {
		return false;
	}

	@Read
	public Provenance read(@IdParam IdType id, RequestDetails request) {
		long row;
		try {
			row = Long.parseLong(id.getIdPart());
		}
		catch (NumberFormatException ex) {
			throw new ResourceNotFoundException(
					Msg.code(2001) + "Resource Provenance/" + id.getIdPart() + " is not known");
		}
		Provenance provenance = this.changes.read(row)
			.map(Provenances::of)
			.orElseThrow(() -> new ResourceNotFoundException(
					Msg.code(2001) + "Resource Provenance/" + id.getIdPart() + " is not known"));
		List<IBaseResource> shown = this.shown.to(request, List.<IBaseResource>of(provenance));
		if (shown.isEmpty()) {
			throw new ResourceNotFoundException(
					Msg.code(2001) + "Resource Provenance/" + id.getIdPart() + " is not known");
		}
		return provenance;
	}

	@Search
	public IBundleProvider search(@OptionalParam(name = Provenance.SP_TARGET) ReferenceParam target,
			@OptionalParam(name = Provenance.SP_PATIENT) ReferenceParam patient, RequestDetails request) {
		String targetReference = PlainReference.of("Provenance", target, null, Provenance.SP_TARGET);
		String patientReference = PlainReference.of("Provenance", patient, "Patient", Provenance.SP_PATIENT);
		if (targetReference == null && patientReference == null) {
			throw new InvalidRequestException("Search Provenance by target (Type/id) or patient (Patient/id)");
		}
		return new Results(targetReference, patientReference, request);
	}

	@Override
	public IBundleProvider resultPages(String pageId, RequestDetails request) {
		if (pageId == null || !pageId.startsWith(PAGE_PREFIX)) {
			return null;
		}
		String[] query;
		try {
			query = new String(Base64.getUrlDecoder().decode(pageId.substring(PAGE_PREFIX.length())),
					StandardCharsets.UTF_8)
				.split("\n", -1);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (query.length != 2) {
			return null;
		}
		return new Results(query[0].isEmpty() ? null : query[0], query[1].isEmpty() ? null : query[1], request);
	}

	/** The results, read page by page; the page id carries the query, not state. */
	private final class Results implements IBundleProvider {

		private final String target;

		private final String patient;

		private final RequestDetails request;

		private final InstantType published = InstantType.now();

		private Integer size;

		/**
		 * Whether the changes are of a person the caller may not see: every change a
		 * search finds is of one person (the patient asked for, or the one the target
		 * belongs to), so the consent rule shown the first decides for all, and the
		 * search finds nothing, its count included, as for a person who is not here.
		 */
		private final boolean ofSomeoneHidden;

		Results(String target, String patient, RequestDetails request) {
			this.target = target;
			this.patient = patient;
			this.request = request;
			List<IBaseResource> first = new ArrayList<>();
			ProvenanceProvider.this.changes.history(target, patient, 0, 1)
				.forEach((change) -> first.add(Provenances.of(change)));
			this.ofSomeoneHidden = !first.isEmpty() && ProvenanceProvider.this.shown.to(request, first).isEmpty();
		}

		@Override
		public List<IBaseResource> getResources(int fromIndex, int toIndex) {
			List<IBaseResource> page = new ArrayList<>();
			if (this.ofSomeoneHidden) {
				return page;
			}
			ProvenanceProvider.this.changes
				.history(this.target, this.patient, fromIndex, Math.max(0, toIndex - fromIndex))
				.forEach((change) -> page.add(Provenances.of(change)));
			return ProvenanceProvider.this.shown.to(this.request, page);
		}

		@Override
		public String getUuid() {
			String query = ((this.target != null) ? this.target : "") + "\n"
					+ ((this.patient != null) ? this.patient : "");
			return PAGE_PREFIX
					+ Base64.getUrlEncoder().withoutPadding().encodeToString(query.getBytes(StandardCharsets.UTF_8));
		}

		@Override
		public Integer size() {
			if (this.size == null) {
				this.size = this.ofSomeoneHidden ? 0 : ProvenanceProvider.this.changes.count(this.target, this.patient);
			}
			return this.size;
		}

		@Override
		public IPrimitiveType<Date> getPublished() {
			return this.published;
		}

		@Override
		public Integer preferredPageSize() {
			return null;
		}

	}

}
