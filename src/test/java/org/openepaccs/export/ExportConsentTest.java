package org.openepaccs.export;

import java.util.List;
import java.util.Set;

import ca.uhn.fhir.rest.api.server.bulk.BulkExportJobParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.junit.jupiter.api.Test;
import org.openepaccs.security.ConsentDirectory;
import org.openepaccs.security.PeopleOfRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** What the export job writes, resource by resource. */
class ExportConsentTest {

	private final ConsentDirectory consent = mock(ConsentDirectory.class);

	private final PeopleOfRecords people = mock(PeopleOfRecords.class);

	private final ExportConsent exportConsent = new ExportConsent(this.consent, this.people);

	private final IBaseResource observation = new Observation();

	private final IBaseResource organisation = new Organization();

	ExportConsentTest() {
		when(this.people.patientsOf(any())).thenReturn(Set.of());
		when(this.people.patientsOf(this.observation)).thenReturn(Set.of("a"));
		when(this.consent.isHiddenFrom("a", "Y99901")).thenReturn(false);
		when(this.consent.isHiddenFrom("a", "Y99902")).thenReturn(true);
	}

	@Test
	void aJobNotStartedByAClientWritesNothing() {
		assertThat(this.exportConsent.include(new BulkExportJobParameters(), this.organisation)).isFalse();
		assertThat(this.exportConsent.include(new BulkExportJobParameters(), this.observation)).isFalse();
	}

	@Test
	void aPersonHiddenFromTheExportingOrganisationIsLeftOut() {
		assertThat(this.exportConsent.include(icbWide("Y99901"), this.observation)).isTrue();
		assertThat(this.exportConsent.include(icbWide("Y99902"), this.observation)).isFalse();
		assertThat(this.exportConsent.include(icbWide("Y99902"), this.organisation)).as("nobody's record").isTrue();
	}

	@Test
	void aPracticeExportWritesOnlyItsPeoplesRecords() {
		assertThat(this.exportConsent.include(practice("Y99901", "Patient/a"), this.observation)).isTrue();
		assertThat(this.exportConsent.include(practice("Y99901", "Patient/b"), this.observation)).isFalse();
		assertThat(this.exportConsent.include(practice("Y99901", "Patient/a"), this.organisation)).isFalse();
		assertThat(this.exportConsent.include(practice("Y99902", "Patient/a"), this.observation)).isFalse();
	}

	private static BulkExportJobParameters icbWide(String organisation) {
		BulkExportJobParameters parameters = new BulkExportJobParameters();
		parameters.setUserData(ExportRules.ORGANISATION, organisation);
		return parameters;
	}

	private static BulkExportJobParameters practice(String organisation, String... patients) {
		BulkExportJobParameters parameters = icbWide(organisation);
		parameters.setUserData(ExportRules.PRACTICE, Boolean.TRUE);
		parameters.setPatientIds(List.of(patients));
		return parameters;
	}

}
