package org.openepaccs.conformance;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.Element;
import org.hl7.fhir.r5.elementmodel.ObjectConverter;
import org.hl7.fhir.r5.model.CanonicalResource;
import org.hl7.fhir.r5.model.CanonicalType;
import org.hl7.fhir.r5.model.Resource;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.IValidationPolicyAdvisor.ReferenceDestinationType;
import org.hl7.fhir.r5.utils.validation.constants.ReferenceValidationPolicy;
import org.hl7.fhir.validation.instance.advisor.BasePolicyAdvisorForFullValidation;
import org.hl7.fhir.r5.utils.validation.IResourceValidator;
import org.hl7.fhir.r5.utils.validation.IValidatorResourceFetcher;

/**
 * What the HL7 validator CLI resolves when it has no network: what its worker context
 * holds (R4 core and our package), non-web URLs, and the code systems it knows by name.
 * Nothing is fetched from anywhere.
 */
final class OfflineFetcher extends BasePolicyAdvisorForFullValidation implements IValidatorResourceFetcher {

	private static final Set<String> KNOWN_SYSTEMS = Set.of("http://snomed.info/sct", "http://loinc.org",
			"http://unitsofmeasure.org");

	private final IWorkerContext context;

	OfflineFetcher(IWorkerContext context) {
		super(ReferenceValidationPolicy.CHECK_VALID, null);
		this.context = context;
	}

	/**
	 * As the CLI: a reference to a resource that is not a definition is not followed (the
	 * examples name each other, and are each validated on their own).
	 */
	@Override
	public ReferenceValidationPolicy policyForReference(IResourceValidator validator, Object appContext, String path,
			String url, ReferenceDestinationType destinationType) {
		if (this.context.fetchResource(StructureDefinition.class, url) != null) {
			return ReferenceValidationPolicy.CHECK_VALID;
		}
		return (url.contains("hl7.org") || url.contains("fhir.org")) ? ReferenceValidationPolicy.CHECK_EXISTS_AND_TYPE
				: ReferenceValidationPolicy.IGNORE;
	}

	@Override
	public Element fetch(IResourceValidator validator, Object appContext, String url) throws IOException {
		Resource resource = this.context.fetchResource(Resource.class, url);
		return (resource != null) ? new ObjectConverter(this.context).convert(resource) : null;
	}

	@Override
	public boolean resolveURL(IResourceValidator validator, Object appContext, String path, String url, String type,
			boolean canonical, List<CanonicalType> targets) {
		if (!url.startsWith("http://") && !url.startsWith("https://")) {
			return true;
		}
		return KNOWN_SYSTEMS.contains(url) || this.context.fetchResource(Resource.class, url) != null;
	}

	@Override
	public byte[] fetchRaw(IResourceValidator validator, String url) throws IOException {
		throw new IOException("offline: " + url + " is not fetched");
	}

	@Override
	public IValidatorResourceFetcher setLocale(Locale locale) {
		return this;
	}

	@Override
	public CanonicalResource fetchCanonicalResource(IResourceValidator validator, Object appContext, String url) {
		return (this.context.fetchResource(Resource.class, url) instanceof CanonicalResource resource) ? resource
				: null;
	}

	@Override
	public boolean fetchesCanonicalResource(IResourceValidator validator, String url) {
		return false;
	}

	@Override
	public Set<ResourceVersionInformation> fetchCanonicalResourceVersions(IResourceValidator validator,
			Object appContext, String url) {
		return Set.of();
	}

}
