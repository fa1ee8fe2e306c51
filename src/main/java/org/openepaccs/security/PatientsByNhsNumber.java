package org.openepaccs.security;

import java.util.List;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import org.hl7.fhir.r4.model.Patient;
import org.openepaccs.common.NhsNumber;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Finds a patient by NHS number for the standalone launch's patient picker
 * ({@link SignInPages}), and says what the signed-in user may be told: the same as a
 * summary by NHS number tells them. A person who refused to share is found for a
 * clinician of another organisation (who is then told the record is restricted and may
 * break the glass) and not for anyone else, who is told exactly what they would be told
 * if nobody had that number.
 */
@Component
@ConditionalOnProperty(name = "epaccs.security.embedded-issuer.enabled", havingValue = "true")
class PatientsByNhsNumber {

	private final JdbcTemplate jdbc;

	private final PartitionSettings partitionSettings;

	private final ConsentDirectory consent;

	PatientsByNhsNumber(JdbcTemplate jdbc, PartitionSettings partitionSettings, ConsentDirectory consent) {
		this.jdbc = jdbc;
		this.partitionSettings = partitionSettings;
		this.consent = consent;
	}

	/**
	 * The ids of the patients with this NHS number whom a user of this role and
	 * organisation may pick.
	 */
	List<String> find(String nhsNumber, Role role, String organisation) {
		long systemAndValue = ResourceIndexedSearchParamToken.calculateHashSystemAndValue(this.partitionSettings,
				RequestPartitionId.defaultPartition(), "Patient", Patient.SP_IDENTIFIER, NhsNumber.SYSTEM, nhsNumber);
		List<String> patients = this.jdbc.queryForList("SELECT DISTINCT r.FHIR_ID FROM HFJ_SPIDX_TOKEN t JOIN"
				+ " HFJ_RESOURCE r ON r.RES_ID = t.RES_ID WHERE t.HASH_SYS_AND_VALUE = ? AND t.RES_TYPE = 'Patient'"
				+ " AND r.RES_TYPE = 'Patient' AND r.RES_DELETED_AT IS NULL", String.class, systemAndValue);
		boolean clinical = role == Role.CLINICIAN || role == Role.OOH_CLINICIAN;
		return patients.stream()
			.filter((patient) -> clinical || !this.consent.isHiddenFrom(patient, organisation))
			.toList();
	}

}
