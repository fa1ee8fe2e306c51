package org.openepaccs.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestSecurityComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Says in the CapabilityStatement ({@code rest.security}) that the API is protected by
 * SMART on FHIR, and where to get a token (the SMART {@code oauth-uris} extension), as
 * SMART clients that read the CapabilityStatement rather than
 * {@code .well-known/smart-configuration} expect. The {@code authorize} URI is there when
 * this server knows one (the embedded issuer's, or an external issuer's configured
 * authorization endpoint).
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class SmartSecurityInCapabilityStatement implements FhirServerInterceptor {

	static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

	static final String SERVICE_SYSTEM = "http://terminology.hl7.org/CodeSystem/restful-security-service";

	private final IssuerAddress address;

	SmartSecurityInCapabilityStatement(IssuerAddress address) {
		this.address = address;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void describeSecurity(IBaseConformance capabilityStatement) {
		if (!(capabilityStatement instanceof CapabilityStatement statement)) {
			return;
		}
		CapabilityStatementRestSecurityComponent security = statement.getRestFirstRep().getSecurity();
		security.addService(new CodeableConcept(new Coding(SERVICE_SYSTEM, "SMART-on-FHIR", "SMART-on-FHIR"))
			.setText("OAuth2 access tokens (SMART on FHIR): see .well-known/smart-configuration"));
		String tokenEndpoint = this.address.tokenEndpoint();
		if (tokenEndpoint != null) {
			Extension oauthUris = security.addExtension().setUrl(OAUTH_URIS);
			String authorize = this.address.authorizationEndpoint();
			if (authorize != null) {
				oauthUris.addExtension("authorize", new UriType(authorize));
			}
			oauthUris.addExtension("token", new UriType(tokenEndpoint));
		}
	}

}
