package org.openepaccs.metrics;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What the indicators need to know of one person, read from HAPI's search indexes: no
 * name, no NHS number, no resource id leaves the server; the internal key only joins the
 * facts together. Filled by {@link IndexedFacts}, read by {@link Indicators}.
 */
final class PersonFacts {

	LocalDate birthDate;

	String gender;

	/** The NHS Data Dictionary ETHNIC CATEGORY code letter. */
	String ethnicCategory;

	Integer deprivationDecile;

	/** ODS code of the registered GP practice (Patient.generalPractitioner). */
	String practice;

	LocalDate deathDate;

	final List<RegisterEntry> entries = new ArrayList<>();

	/** An active advance care plan of any kind (adult or CYP). */
	boolean advanceCarePlan;

	/** An active Child and Young Person's Advance Care Plan. */
	boolean cypAdvanceCarePlan;

	/** The latest review date of the person's active advance care plans. */
	LocalDate planReviewDate;

	boolean preferredPlaceOfDeathRecorded;

	boolean cprDecision;

	boolean anticipatoryMedicines;

	/** SNOMED CT code of the actual place of death. */
	String placeOfDeath;

	/** Whether the preferred place of death was achieved, where that is recorded. */
	Boolean preferredPlaceAchieved;

	final List<LocalDate> emergencyAdmissions = new ArrayList<>();

	/**
	 * One register entry.
	 *
	 * @param start when the person was added
	 * @param end when the entry ended, or null while it is open
	 * @param keyWorker whether it names a key worker
	 * @param diagnosisGroup cancer, non-cancer or not recorded
	 * @param practice ODS code of the practice whose register it is
	 */
	record RegisterEntry(LocalDate start, LocalDate end, boolean keyWorker, String diagnosisGroup, String practice) {

		boolean openOn(LocalDate day) {
			return this.start != null && !this.start.isAfter(day) && (this.end == null || !this.end.isBefore(day));
		}

	}

	/** The entry open on the day (the latest started, if the record holds two). */
	RegisterEntry entryOn(LocalDate day) {
		RegisterEntry found = null;
		for (RegisterEntry entry : this.entries) {
			if (entry.openOn(day) && (found == null || entry.start().isAfter(found.start()))) {
				found = entry;
			}
		}
		return found;
	}

	/** On the register at the end of the day: an entry open then, and alive. */
	RegisterEntry onRegisterAtEndOf(LocalDate day) {
		if (this.deathDate != null && !this.deathDate.isAfter(day)) {
			return null;
		}
		RegisterEntry entry = entryOn(day);
		return (entry != null && (entry.end() == null || entry.end().isAfter(day))) ? entry : null;
	}

	/** The practice the person counts under: registered practice, else the register's. */
	String practiceOf(RegisterEntry entry) {
		if (this.practice != null) {
			return this.practice;
		}
		return (entry != null) ? entry.practice() : null;
	}

}
