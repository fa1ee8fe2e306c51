package org.openepaccs.security;

import java.util.Optional;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
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

	private final FhirContext fhirContext;

	ExportOutputs(Callers callers, FhirContext fhirContext) {
		this.callers = callers;
		this.fhirContext = fhirContext;
	}

	/**
	 * Where Binaries can be among a request's results (a search or read of Binary, a
	 * system-wide search, {@code $everything}, a search with includes), each is checked
	 * before it is counted, so that pages stay full and totals true. Any other request
	 * finds no Binary: asking HAPI here for the resources of each of its pages would make
	 * it load and parse every page twice.
	 */
	@Hook(Pointcut.STORAGE_PREACCESS_RESOURCES)
	public void onlyToTheirOwner(IPreResourceAccessDetails details, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails) || !findsBinaries(request)) {
			return; // the server's own reads (the export job writing its files), or no
					// Binary among the results
		}
		Optional<Caller> caller = this.callers.current();
		for (int i = 0; i < details.size(); i++) {
			IBaseResource resource = details.getResource(i);
			if (resource instanceof Binary binary && !shownTo(binary, caller)) {
				details.setDontReturnResourceAtIndex(i);
			}
		}
	}

	/**
	 * Binaries included in the results of any request, decided as the access hook does.
	 */
	@Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
	public void includedOnlyToTheirOwner(IPreResourceShowDetails shown, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails)) {
			return;
		}
		Optional<Caller> caller = this.callers.current();
		for (int i = 0; i < shown.size(); i++) {
			if (shown.getResource(i) instanceof Binary binary && !shownTo(binary, caller)) {
				shown.setResource(i, null);
			}
		}
	}

	static boolean findsBinaries(RequestDetails request) {
		String type = request.getResourceName();
		return type == null || "Binary".equals(type) || "$everything".equals(request.getOperation())
				|| request.getParameters()
					.keySet()
					.stream()
					.anyMatch((name) -> name.startsWith("_include") || name.startsWith("_revinclude"));
	}

	/**
	 * An export's files are changed by nobody: a PUT or PATCH of one is answered to
	 * anyone else as one of an id that is not stored, and would otherwise hand back the
	 * file patched.
	 */
	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = -300)
	public void neverChanged(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails) || !(previous instanceof Binary binary)
				|| !ExportOwners.SYSTEM.equals(binary.getSecurityContext().getIdentifier().getSystem())) {
			return;
		}
		if (!shownTo(binary, this.callers.current())) {
			throw AccessGate.noClientAssignedIds(this.fhirContext, binary.getIdElement().getIdPart());
		}
		throw new ForbiddenOperationException("An export's output files are not changed");
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
