package org.openepaccs.conformance;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.hl7.fhir.r5.elementmodel.Element;
import org.hl7.fhir.r5.model.ElementDefinition;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.model.ValueSet;
import org.hl7.fhir.r5.utils.validation.IMessagingServices;
import org.hl7.fhir.r5.utils.validation.IResourceValidator;
import org.hl7.fhir.r5.utils.validation.IValidationPolicyAdvisor;
import org.hl7.fhir.r5.utils.validation.constants.BindingKind;
import org.hl7.fhir.r5.utils.validation.constants.ContainedReferenceValidationPolicy;
import org.hl7.fhir.r5.utils.validation.constants.ReferenceValidationPolicy;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.openepaccs.common.WorkDeadline;

/**
 * Stops a validation when its request's time is up. The instance validator asks its
 * policy advisor before it checks each child element of a resource, which makes that
 * question the one place, short of the validator's own code, where its work can be cut
 * off: so this advisor answers as the one it wraps, after checking the request's
 * deadline. The validator cannot be cancelled from outside, and a resource made to be
 * costly would otherwise hold a core for as long as it takes.
 */
final class DeadlinePolicyAdvisor implements IValidationPolicyAdvisor {

	private IValidationPolicyAdvisor delegate;

	DeadlinePolicyAdvisor(IValidationPolicyAdvisor delegate) {
		this.delegate = delegate;
	}

	@Override
	public EnumSet<ElementValidationAction> policyForElement(IResourceValidator validator, Object appContext,
			StructureDefinition structure, ElementDefinition element, String path) {
		WorkDeadline.check();
		return this.delegate.policyForElement(validator, appContext, structure, element, path);
	}

	@Override
	public EnumSet<ResourceValidationAction> policyForResource(IResourceValidator validator, Object appContext,
			StructureDefinition type, String path) {
		WorkDeadline.check();
		return this.delegate.policyForResource(validator, appContext, type, path);
	}

	@Override
	public IValidationPolicyAdvisor getPolicyAdvisor() {
		return this.delegate;
	}

	@Override
	public IValidationPolicyAdvisor setPolicyAdvisor(IValidationPolicyAdvisor policyAdvisor) {
		this.delegate = policyAdvisor;
		return this;
	}

	@Override
	public ReferenceValidationPolicy getReferencePolicy() {
		return this.delegate.getReferencePolicy();
	}

	@Override
	public Set<String> getCheckReferencesTo() {
		return this.delegate.getCheckReferencesTo();
	}

	@Override
	public boolean isSuppressMessageId(String path, String messageId) {
		return this.delegate.isSuppressMessageId(path, messageId);
	}

	@Override
	public ReferenceValidationPolicy policyForReference(IResourceValidator validator, Object appContext, String path,
			String url, ReferenceDestinationType destinationType) {
		return this.delegate.policyForReference(validator, appContext, path, url, destinationType);
	}

	@Override
	public ContainedReferenceValidationPolicy policyForContained(IResourceValidator validator, Object appContext,
			StructureDefinition structure, ElementDefinition element, String containerType, String containerId,
			Element.SpecialElement containingResourceType, String path, String url) {
		return this.delegate.policyForContained(validator, appContext, structure, element, containerType, containerId,
				containingResourceType, path, url);
	}

	@Override
	public EnumSet<CodedContentValidationAction> policyForCodedContent(IResourceValidator validator, Object appContext,
			String stackPath, ElementDefinition definition, StructureDefinition structure, BindingKind kind,
			AdditionalBindingPurpose purpose, ValueSet valueSet, List<String> systems) {
		return this.delegate.policyForCodedContent(validator, appContext, stackPath, definition, structure, kind,
				purpose, valueSet, systems);
	}

	@Override
	public SpecialValidationAction policyForSpecialValidation(IResourceValidator validator, Object appContext,
			SpecialValidationRule rule, String stackPath, Element resource, Element element) {
		return this.delegate.policyForSpecialValidation(validator, appContext, rule, stackPath, resource, element);
	}

	@Override
	public List<StructureDefinition> getImpliedProfilesForResource(IResourceValidator validator, Object appContext,
			String stackPath, ElementDefinition definition, StructureDefinition structure, Element resource,
			boolean valid, IMessagingServices msgServices, List<ValidationMessage> messages) {
		return this.delegate.getImpliedProfilesForResource(validator, appContext, stackPath, definition, structure,
				resource, valid, msgServices, messages);
	}

}
