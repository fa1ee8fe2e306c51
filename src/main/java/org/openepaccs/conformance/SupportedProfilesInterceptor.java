package org.openepaccs.conformance;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Lists our profiles as {@code supportedProfile} of their resource types in the
 * CapabilityStatement.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class SupportedProfilesInterceptor implements FhirServerInterceptor {

	private final ConformancePackage conformancePackage;

	SupportedProfilesInterceptor(ConformancePackage conformancePackage) {
		this.conformancePackage = conformancePackage;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void listProfiles(IBaseConformance capabilityStatement) {
		if (!(capabilityStatement instanceof CapabilityStatement statement)) {
			return;
		}
		for (CapabilityStatementRestResourceComponent resource : statement.getRestFirstRep().getResource()) {
			this.conformancePackage.resources()
				.stream()
				.filter((r) -> r instanceof StructureDefinition definition
						&& definition.getKind() == StructureDefinition.StructureDefinitionKind.RESOURCE
						&& resource.getType().equals(definition.getType()))
				.forEach((r) -> resource.addSupportedProfile(((StructureDefinition) r).getUrl()));
		}
	}

}
