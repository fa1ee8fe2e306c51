package org.openepaccs.requests;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.openepaccs.http.HttpProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The checks that refuse a malformed FHIR request before any work is done on it. They are
 * registered in the order declared here, so that a request with several faults is told of
 * them in the same order every time.
 */
@Configuration(proxyBeanMethods = false)
class RequestChecksConfig {

	@Bean
	ConditionalRequestInterceptor conditionalRequestInterceptor(DaoRegistry daoRegistry) {
		return new ConditionalRequestInterceptor(daoRegistry);
	}

	@Bean
	SearchValueInterceptor searchValueInterceptor(ISearchParamRegistry searchParamRegistry,
			HttpProperties httpProperties) {
		return new SearchValueInterceptor(searchParamRegistry, httpProperties.limits());
	}

	@Bean
	PatchRequestInterceptor patchRequestInterceptor(FhirContext fhirContext, HttpProperties httpProperties) {
		return new PatchRequestInterceptor(fhirContext, httpProperties.limits());
	}

	@Bean
	UnparseableContentInterceptor unparseableContentInterceptor() {
		return new UnparseableContentInterceptor();
	}

	@Bean
	MissingOperationParameters missingOperationParameters() {
		return new MissingOperationParameters();
	}

	@Bean
	UnavailableOperationsInterceptor unavailableOperationsInterceptor() {
		return new UnavailableOperationsInterceptor();
	}

	@Bean
	ResourceIdInterceptor resourceIdInterceptor() {
		return new ResourceIdInterceptor();
	}

	@Bean
	TransactionEntryInterceptor transactionEntryInterceptor(SearchValueInterceptor searchValueInterceptor,
			PatchRequestInterceptor patchRequestInterceptor) {
		return new TransactionEntryInterceptor(searchValueInterceptor, patchRequestInterceptor);
	}

	@Bean
	TransactionEntryInProgress transactionEntryInProgress() {
		return new TransactionEntryInProgress();
	}

	@Bean
	TransactionEntryRefusals transactionEntryRefusals() {
		return new TransactionEntryRefusals();
	}

	@Bean
	PatchedResourceCounts patchedResourceCounts(FhirContext fhirContext, HttpProperties httpProperties) {
		return new PatchedResourceCounts(fhirContext, httpProperties.limits());
	}

}
