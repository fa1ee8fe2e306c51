package org.openepaccs.audit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;

/**
 * Which resources and which patients a response or a write involves, for the audit
 * event's entities.
 */
final class AuditedResources {

	private final FhirTerser terser;

	private final Set<String> resources = new LinkedHashSet<>();

	private final Set<String> patients = new LinkedHashSet<>();

	AuditedResources(FhirContext fhirContext) {
		this.terser = fhirContext.newTerser();
	}

	AuditedResources add(IBaseResource resource) {
		// an audit search names the events it found by its query; listing each event and
		// each patient they name would bury the privacy officer's own trail in noise
		if (resource == null || resource instanceof OperationOutcome || resource instanceof AuditEvent) {
			return this;
		}
		if (resource instanceof Bundle bundle) {
			bundle.getEntry().forEach((entry) -> add(entry.getResource()));
			return this;
		}
		IIdType id = resource.getIdElement();
		if (id.hasIdPart()) {
			this.resources.add(resource.fhirType() + "/" + id.getIdPart());
		}
		if (resource instanceof Patient && id.hasIdPart()) {
			this.patients.add("Patient/" + id.getIdPart());
		}
		else {
			for (IIdType owner : this.terser.getCompartmentOwnersForResource("Patient", resource, Set.of())) {
				if (owner.hasIdPart()) {
					this.patients.add("Patient/" + owner.getIdPart());
				}
			}
		}
		return this;
	}

	/** A resource named by the request, such as the id of a refused read. */
	AuditedResources addRequested(String type, String idPart) {
		if (type != null && idPart != null) {
			this.resources.add(type + "/" + idPart);
			if ("Patient".equals(type)) {
				this.patients.add("Patient/" + idPart);
			}
		}
		return this;
	}

	List<String> resources() {
		return new ArrayList<>(this.resources);
	}

	List<String> patients() {
		return new ArrayList<>(this.patients);
	}

}
