package org.openepaccs.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * Names this server in its CapabilityStatement, where HAPI would say "RestServer"
 * published by "Not provided".
 */
@Interceptor
class CapabilityStatementInterceptor {

	private final String serverName;

	CapabilityStatementInterceptor(String serverName) {
		this.serverName = serverName;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void describe(IBaseConformance capabilityStatement) {
		if (capabilityStatement instanceof CapabilityStatement statement) {
			statement.setName("EPaCCSFhirServer");
			statement.setTitle(this.serverName);
			statement.setPublisher("Open EPaCCS project");
			statement.setDescription(FhirServerConfig.IMPLEMENTATION_DESCRIPTION);
		}
	}

}
