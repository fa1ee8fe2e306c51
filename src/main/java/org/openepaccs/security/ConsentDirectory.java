package org.openepaccs.security;

import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.openepaccs.server.FhirStorageInterceptor;
import org.openepaccs.server.InternalSearch;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Who has refused to share their record, and which organisations (ODS codes) recorded the
 * refusal and so may still see it. Read from the consent-to-share Consents (scope
 * {@code patient-privacy}): a person's latest decision counts; it is a refusal when its
 * status is {@code rejected} or it is active with {@code provision.type = deny}. The
 * custodian is {@code Consent.organization}.
 * <p>
 * Kept in memory because it is asked about every resource a response shows: loaded in
 * full once, then only what changed, after a Consent is written here and every few
 * seconds for Consents written through another replica. (A deleted Consent is not seen;
 * record a new decision instead.)
 */
@Component
@Interceptor
public class ConsentDirectory implements FhirStorageInterceptor {

	static final String CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope";

	static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";

	private final DaoRegistry daoRegistry;

	private volatile Map<String, Set<String>> refusals = Map.of();

	private volatile boolean stale = true;

	private static final long OVERLAP_MILLIS = 10_000;

	private final Map<String, Decision> decisions = new HashMap<>();

	private Date loadedUpTo;

	ConsentDirectory(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	/**
	 * The ODS codes that may still see the patient's record when they have refused
	 * sharing, or null when they have not.
	 */
	public Set<String> custodiansIfRefused(String patientId) {
		if (this.stale) {
			reload();
		}
		return this.refusals.get(patientId);
	}

	/** Whether any refusal hides someone from this organisation. */
	public boolean anyHiddenFrom(String organisation) {
		if (this.stale) {
			reload();
		}
		return this.refusals.values()
			.stream()
			.anyMatch((custodians) -> organisation == null || !custodians.contains(organisation));
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		markStaleIfConsent(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		markStaleIfConsent(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		markStaleIfConsent(resource);
	}

	@Scheduled(fixedDelayString = "${epaccs.security.consent-refresh:5s}", initialDelayString = "5s")
	void refresh() {
		this.stale = true;
	}

	private void markStaleIfConsent(IBaseResource resource) {
		if (resource instanceof Consent) {
			this.stale = true;
		}
	}

	/**
	 * Reads the consent-to-share decisions written since the last reload (all of them the
	 * first time) and keeps each person's latest.
	 */
	synchronized void reload() {
		if (!this.stale) {
			return;
		}
		this.stale = false;
		Date started = new Date();
		SearchParameterMap changed = InternalSearch.all()
			.add(Consent.SP_SCOPE, new TokenParam(CONSENT_SCOPE, "patient-privacy"));
		if (this.loadedUpTo != null) {
			// a little overlap: a write that committed just before the last reload
			// started
			// may carry an earlier timestamp; reading it again changes nothing
			changed.setLastUpdated(new DateRangeParam(new Date(this.loadedUpTo.getTime() - OVERLAP_MILLIS), null));
		}
		List<Consent> consents = this.daoRegistry.getResourceDao(Consent.class)
			.searchForResources(changed, new SystemRequestDetails());
		for (Consent consent : consents) {
			if (!consent.getPatient().hasReference() || consent.getStatus() == Consent.ConsentState.DRAFT) {
				continue;
			}
			String patient = consent.getPatient().getReferenceElement().getIdPart();
			Decision known = this.decisions.get(patient);
			Decision incoming = new Decision(consent.getIdElement().getIdPart(), consent.getDateTime(),
					consent.getMeta().getLastUpdated(),
					consent.getStatus() != Consent.ConsentState.ENTEREDINERROR && isRefusal(consent),
					custodians(consent));
			if (known == null || known.consentId().equals(incoming.consentId()) || incoming.isLaterThan(known)) {
				this.decisions.put(patient, incoming);
			}
		}
		this.loadedUpTo = started;
		Map<String, Set<String>> refused = new HashMap<>();
		this.decisions.forEach((patient, decision) -> {
			if (decision.refused()) {
				refused.put(patient, decision.custodians());
			}
		});
		this.refusals = Map.copyOf(refused);
	}

	/** A person's latest consent-to-share decision. */
	private record Decision(String consentId, Date decided, Date stored, boolean refused, Set<String> custodians) {

		boolean isLaterThan(Decision other) {
			Comparator<Date> dates = Comparator.nullsFirst(Comparator.naturalOrder());
			int byDecision = dates.compare(this.decided, other.decided);
			return (byDecision != 0) ? byDecision > 0 : dates.compare(this.stored, other.stored) >= 0;
		}

	}

	static boolean isRefusal(Consent consent) {
		return consent.getStatus() == Consent.ConsentState.REJECTED
				|| (consent.getStatus() == Consent.ConsentState.ACTIVE
						&& consent.getProvision().getType() == Consent.ConsentProvisionType.DENY);
	}

	private Set<String> custodians(Consent consent) {
		Set<String> codes = new HashSet<>();
		for (Reference organisation : consent.getOrganization()) {
			if (organisation.hasIdentifier() && ODS.equals(organisation.getIdentifier().getSystem())) {
				codes.add(organisation.getIdentifier().getValue());
			}
			else if (organisation.hasReference()) {
				try {
					Organization found = this.daoRegistry.getResourceDao(Organization.class)
						.read(organisation.getReferenceElement().toUnqualifiedVersionless(),
								new SystemRequestDetails());
					found.getIdentifier()
						.stream()
						.filter((identifier) -> ODS.equals(identifier.getSystem()))
						.map(Identifier::getValue)
						.forEach(codes::add);
				}
				catch (ResourceNotFoundException | ResourceGoneException ex) {
					// no custodian can be named: nobody but a break-glass access sees the
					// record
				}
			}
		}
		return Set.copyOf(codes);
	}

}
