package org.openepaccs.register;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.fhir.InternalSearch;
import org.openepaccs.records.RecordMeanings;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import static org.openepaccs.common.Systems.SNOMED;

/**
 * Keeps the register alert {@code Flag} in step with its register entry
 * ({@code EpisodeOfCare}, type 103735009 Palliative care), in the same database
 * transaction as the entry's own write: active while the entry is, inactive once it is
 * finished, with the entry's period and practice. Clients never write it by hand: they
 * add, update or finish the entry, and out-of-hours, 111 and ambulance services that look
 * for {@code Flag?patient=…&status=active} see the change at once.
 * <p>
 * The Flag's id follows from the entry's ({@code <entry id>-alert}), so that writing the
 * entry again updates the same Flag rather than adding one, on any replica.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class RegisterFlagKeeper implements FhirStorageInterceptor {

	static final String PALLIATIVE_CARE = "103735009";

	/** PRSB: On palliative care register (finding). */
	static final String ON_REGISTER = "1403151000000103";

	/** SNOMED CT: On end of life care register (the NHS End of Life API's code). */
	static final String ON_EOL_REGISTER = "526631000000108";

	static final String FLAG_PROFILE = "https://fhir.openepaccs.org/StructureDefinition/epaccs-register-flag";

	static final String FLAG_DETAIL = "http://hl7.org/fhir/StructureDefinition/flag-detail";

	static final String END_REASON = "https://fhir.openepaccs.org/StructureDefinition/epaccs-register-end-reason";

	private final DaoRegistry daoRegistry;

	RegisterFlagKeeper(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		keepInStep(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		keepInStep(resource);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void alertCreated(IBaseResource resource, RequestDetails request) {
		refuseSecondAlert(resource, request);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void alertUpdated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		refuseSecondAlert(resource, request);
	}

	/**
	 * One register alert per person: a client may still send the alert the server keeps
	 * (same id), but not a second active one beside it, which would stay up after the
	 * register entry ends.
	 */
	private void refuseSecondAlert(IBaseResource resource, RequestDetails request) {
		if (!(resource instanceof Flag flag) || request == null || request instanceof SystemRequestDetails
				|| flag.getStatus() != Flag.FlagStatus.ACTIVE || !flag.getSubject().hasReference()
				|| flag.getCode()
					.getCoding()
					.stream()
					.noneMatch((coding) -> SNOMED.equals(coding.getSystem())
							&& (ON_REGISTER.equals(coding.getCode()) || ON_EOL_REGISTER.equals(coding.getCode())))) {
			return;
		}
		TokenOrListParam codes = new TokenOrListParam().add(SNOMED, ON_REGISTER).add(SNOMED, ON_EOL_REGISTER);
		SearchParameterMap alerts = InternalSearch.all()
			.add(Flag.SP_PATIENT, new ReferenceParam(flag.getSubject().getReference()))
			.add("status", new TokenParam("active"))
			.add("code", codes);
		String id = flag.getIdElement().getIdPart();
		for (IBaseResource existing : this.daoRegistry.getResourceDao(Flag.class)
			.search(alerts, new SystemRequestDetails())
			.getResources(0, Integer.MAX_VALUE)) {
			if (!existing.getIdElement().getIdPart().equals(id)) {
				throw new UnprocessableEntityException("This person already has an active register alert (Flag/"
						+ existing.getIdElement().getIdPart() + "); the server keeps it in step with their register "
						+ "entry: add, change or end the EpisodeOfCare instead of writing the alert");
			}
		}
	}

	private void keepInStep(IBaseResource resource) {
		if (resource instanceof EpisodeOfCare entry && RecordMeanings.isRegisterEntry(entry)
				&& entry.getIdElement().hasIdPart()) {
			// an unchanged Flag is not stored again: HAPI keeps the current version
			this.daoRegistry.getResourceDao(Flag.class).update(flagFor(entry), new SystemRequestDetails());
		}
	}

	/** The alert that mirrors this register entry. */
	static Flag flagFor(EpisodeOfCare entry) {
		String entryId = entry.getIdElement().getIdPart();
		Flag flag = new Flag();
		flag.setId(flagIdFor(entryId));
		flag.getMeta().addProfile(FLAG_PROFILE);
		flag.addExtension(new Extension(FLAG_DETAIL, new Reference("EpisodeOfCare/" + entryId)));
		flag.setStatus(switch (entry.getStatus()) {
			case ACTIVE -> Flag.FlagStatus.ACTIVE;
			case ENTEREDINERROR -> Flag.FlagStatus.ENTEREDINERROR;
			default -> Flag.FlagStatus.INACTIVE;
		});
		flag.addCategory(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/flag-category", "admin", "Administrative")));
		flag.setCode(new CodeableConcept(new Coding(SNOMED, ON_REGISTER, "On palliative care register"))
			.setText("On palliative care register"));
		flag.setSubject(entry.getPatient().copy());
		Period period = new Period();
		if (entry.getPeriod().hasStart()) {
			period.setStartElement(entry.getPeriod().getStartElement().copy());
		}
		if (entry.getPeriod().hasEnd()) {
			period.setEndElement(entry.getPeriod().getEndElement().copy());
		}
		flag.setPeriod(period);
		if (entry.hasManagingOrganization()) {
			flag.setAuthor(entry.getManagingOrganization().copy());
		}
		flag.getText().setStatus(Narrative.NarrativeStatus.GENERATED).setDivAsString(narrative(entry, flag));
		return flag;
	}

	static String flagIdFor(String entryId) {
		String id = entryId + "-alert";
		// FHIR ids hold at most 64 characters
		return (id.length() <= 64) ? id : UUID.nameUUIDFromBytes(entryId.getBytes(StandardCharsets.UTF_8)).toString();
	}

	private static String narrative(EpisodeOfCare entry, Flag flag) {
		String practice = entry.getManagingOrganization().getDisplay();
		String since = entry.getPeriod().hasStart() ? " since " + date(entry) : "";
		String text;
		if (flag.getStatus() == Flag.FlagStatus.ACTIVE) {
			text = "Alert: on the palliative care register" + since + ((practice != null) ? " (" + practice + ")" : "")
					+ ".";
		}
		else {
			Extension reason = entry.getExtensionByUrl(END_REASON);
			String why = (reason != null && reason.getValue() instanceof CodeableConcept concept)
					? concept.hasText() ? concept.getText() : concept.getCodingFirstRep().getDisplay() : null;
			text = "No longer on the palliative care register" + ((why != null) ? ": " + why : "") + ".";
		}
		return "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>" + escape(text) + "</p></div>";
	}

	private static String date(EpisodeOfCare entry) {
		// the date as recorded (usually a day), not shifted through the server's time
		// zone
		String recorded = entry.getPeriod().getStartElement().getValueAsString();
		return LocalDate.parse(recorded.substring(0, 10)).format(DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.UK));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

}
