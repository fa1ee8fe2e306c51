package org.openepaccs.security;

import java.util.Optional;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Identifier;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * A bulk export's output files (Binaries marked with {@link ExportOwners#SYSTEM}) are
 * shown only to the caller who started the export, in reads and searches alike; to anyone
 * else they are answered as records that do not exist. The admin role, which reads no
 * clinical data, may read a Binary only when it is the output of its own (ICB-wide)
 * export.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class ExportOutputs implements FhirStorageInterceptor {

	private final Callers callers;

	ExportOutputs(Callers callers) {
		this.callers = callers;
	}

	@Hook(Pointcut.STORAGE_PREACCESS_RESOURCES)
	public void onlyToTheirOwner(IPreResourceAccessDetails details, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails)) {
			return; // the server's own reads (the export job writing its files)
		}
		Optional<Caller> caller = this.callers.current();
		for (int i = 0; i < details.size(); i++) {
			IBaseResource resource = details.getResource(i);
			if (resource instanceof Binary binary && !shownTo(binary, caller)) {
				details.setDontReturnResourceAtIndex(i);
			}
		}
	}

	static boolean shownTo(Binary binary, Optional<Caller> caller) {
		Identifier owner = binary.getSecurityContext().getIdentifier();
		if (ExportOwners.SYSTEM.equals(owner.getSystem())) {
			return caller.isPresent() && ExportOwners.ownerOf(caller.get()).equals(owner.getValue());
		}
		return caller.isPresent() && AccessPolicy.decide(caller.get(), "Binary", Interaction.READ).allowed();
	}

	/**
	 * Whether the caller may ask for a Binary by id: the admin role only for its exports.
	 */
	static boolean readsExportOutputs(Caller caller) {
		return caller.role() == Role.ADMIN && caller.hasScope("Binary", Interaction.READ);
	}

}
