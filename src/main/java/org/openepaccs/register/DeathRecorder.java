package org.openepaccs.register;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.common.Systems;
import org.openepaccs.conformance.ConformancePackage;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.openepaccs.fhir.InternalSearch;
import org.openepaccs.records.RecordMeanings;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * What recording a death sets off, in the transaction that records it, so that it is
 * never half-recorded:
 * <ul>
 * <li>the person's active register entry is finished, reason "died", ending on the day of
 * death (and {@link RegisterFlagKeeper} lowers the register alert with it);</li>
 * <li>an actual place of death gets the component "preferred place of death achieved",
 * worked out from the person's current first-choice preferred place of death
 * ({@link PreferredPlaceOfDeath}). A clinician may record another answer, with the reason
 * in {@code Observation.note}; without a first choice that names a place, nothing is
 * worked out.</li>
 * </ul>
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class DeathRecorder implements FhirStorageInterceptor {

	static final String OBSERVATION_CODES = ConformancePackage.CANONICAL_BASE + "/CodeSystem/epaccs-observation-code";

	static final String ACHIEVED = "preferred-place-achieved";

	static final String END_REASONS = ConformancePackage.CANONICAL_BASE + "/CodeSystem/epaccs-register-end-reason";

	private static final String SNOMED = Systems.SNOMED;

	private static final ZoneId ENGLAND = ZoneId.of("Europe/London");

	private final DaoRegistry daoRegistry;

	private final Set<String> actualPlaces;

	DeathRecorder(DaoRegistry daoRegistry, ConformancePackage conformancePackage) {
		this.daoRegistry = daoRegistry;
		this.actualPlaces = conformancePackage
			.codesOf(ConformancePackage.CANONICAL_BASE + "/ValueSet/epaccs-actual-place-of-death");
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		if (resource instanceof Patient patient && isDeceased(patient)) {
			finishRegisterEntries(patient);
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		if (resource instanceof Patient patient && isDeceased(patient)
				&& !(previous instanceof Patient before && isDeceased(before))) {
			finishRegisterEntries(patient);
		}
	}

	// after the record rules (150: a place of death only for a person who has died) and
	// before profile validation (200), which then checks the component added here
	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = 160)
	public void placeOfDeathCreated(IBaseResource resource) {
		recordWhetherPreferenceAchieved(resource);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = 160)
	public void placeOfDeathUpdated(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return;
		}
		recordWhetherPreferenceAchieved(resource);
	}

	private void finishRegisterEntries(Patient patient) {
		String reference = "Patient/" + patient.getIdElement().getIdPart();
		SearchParameterMap active = InternalSearch.all()
			.add(EpisodeOfCare.SP_PATIENT, new ReferenceParam(reference))
			.add(EpisodeOfCare.SP_STATUS, new TokenParam("active"))
			.add(EpisodeOfCare.SP_TYPE, new TokenParam(SNOMED, RegisterFlagKeeper.PALLIATIVE_CARE));
		var entries = this.daoRegistry.getResourceDao(EpisodeOfCare.class);
		for (IBaseResource found : entries.search(active, new SystemRequestDetails())
			.getResources(0, Integer.MAX_VALUE)) {
			EpisodeOfCare entry = (EpisodeOfCare) found;
			entry.setStatus(EpisodeOfCare.EpisodeOfCareStatus.FINISHED);
			entry.getPeriod().setEndElement(dayOfDeath(patient));
			entry.getExtension().removeIf((extension) -> RegisterFlagKeeper.END_REASON.equals(extension.getUrl()));
			entry.addExtension(new Extension(RegisterFlagKeeper.END_REASON,
					new CodeableConcept(new Coding(END_REASONS, "died", "Died")).setText("Died")));
			entries.update(entry, new SystemRequestDetails());
		}
	}

	private void recordWhetherPreferenceAchieved(IBaseResource resource) {
		if (!(resource instanceof Observation death)
				|| death.getStatus() == Observation.ObservationStatus.ENTEREDINERROR || actualPlace(death).isEmpty()
				|| !death.getSubject().hasReference()) {
			return;
		}
		Optional<Boolean> computed = firstChoice(death.getSubject().getReference())
			.flatMap((preferred) -> PreferredPlaceOfDeath.achieved(preferred, actualPlace(death).get()));
		Observation.ObservationComponentComponent stated = death.getComponent()
			.stream()
			.filter((component) -> component.getCode().hasCoding(OBSERVATION_CODES, ACHIEVED))
			.findFirst()
			.orElse(null);
		if (stated == null) {
			computed.ifPresent((achieved) -> death.addComponent()
				.setCode(new CodeableConcept(
						new Coding(OBSERVATION_CODES, ACHIEVED, "Preferred place of death achieved"))
					.setText("Preferred place of death achieved"))
				.setValue(new BooleanType(achieved)));
			return;
		}
		if (computed.isPresent() && stated.getValue() instanceof BooleanType answer && answer.hasValue()
				&& answer.booleanValue() != computed.get() && !death.hasNote()) {
			OperationOutcome outcome = new OperationOutcome();
			outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(OperationOutcome.IssueType.BUSINESSRULE)
				.setDiagnostics("The person's first-choice preferred place of death says the preference was "
						+ (computed.get() ? "" : "not ") + "achieved, but this record says it was "
						+ (answer.booleanValue() ? "" : "not ") + "; say why in Observation.note, or leave the "
						+ "component out and the server works it out")
				.addExpression("Observation.component");
			throw new UnprocessableEntityException("The preferred place of death achieved differs without a reason",
					outcome);
		}
	}

	private Optional<String> actualPlace(Observation observation) {
		return observation.getCode()
			.getCoding()
			.stream()
			.filter((coding) -> this.actualPlaces.contains(coding.getSystem() + "|" + coding.getCode()))
			.map(Coding::getCode)
			.findFirst();
	}

	/**
	 * The code of the person's current first-choice preferred place of death: the latest
	 * stated one that is not entered in error.
	 */
	private Optional<String> firstChoice(String patient) {
		TokenOrListParam preferredPlaces = new TokenOrListParam();
		PreferredPlaceOfDeath.codes().forEach((code) -> preferredPlaces.add(SNOMED, code));
		SearchParameterMap preferences = InternalSearch.all()
			.add(Observation.SP_SUBJECT, new ReferenceParam(patient))
			.add(Observation.SP_CODE, preferredPlaces);
		List<IBaseResource> found = this.daoRegistry.getResourceDao(Observation.class)
			.search(preferences, new SystemRequestDetails())
			.getResources(0, Integer.MAX_VALUE);
		return found.stream()
			.map(Observation.class::cast)
			.filter((observation) -> observation.getStatus() == Observation.ObservationStatus.FINAL
					|| observation.getStatus() == Observation.ObservationStatus.AMENDED
					|| observation.getStatus() == Observation.ObservationStatus.CORRECTED)
			.filter((observation) -> RecordMeanings.rank(observation) == 1)
			.filter((observation) -> preferredPlaceOfDeath(observation).isPresent())
			.max(Comparator.comparing((Observation observation) -> observation.hasEffectiveDateTimeType()
					? observation.getEffectiveDateTimeType().getValue() : observation.getMeta().getLastUpdated(),
					Comparator.nullsFirst(Comparator.naturalOrder())))
			.flatMap(DeathRecorder::preferredPlaceOfDeath);
	}

	private static Optional<String> preferredPlaceOfDeath(Observation observation) {
		return observation.getCode()
			.getCoding()
			.stream()
			.filter((coding) -> SNOMED.equals(coding.getSystem())
					&& PreferredPlaceOfDeath.isPreferredPlaceOfDeath(coding.getCode()))
			.map(Coding::getCode)
			.findFirst();
	}

	private static boolean isDeceased(Patient patient) {
		return patient.hasDeceasedDateTimeType() && patient.getDeceasedDateTimeType().hasValue()
				|| patient.hasDeceasedBooleanType() && patient.getDeceasedBooleanType().booleanValue();
	}

	/** The day of death, as recorded; today in England if only "deceased" is known. */
	private static DateTimeType dayOfDeath(Patient patient) {
		if (patient.hasDeceasedDateTimeType() && patient.getDeceasedDateTimeType().hasValue()) {
			String recorded = patient.getDeceasedDateTimeType().getValueAsString();
			return new DateTimeType((recorded.length() > 10) ? recorded.substring(0, 10) : recorded);
		}
		return new DateTimeType(LocalDate.now(ENGLAND).toString());
	}

}
