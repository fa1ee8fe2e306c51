package org.openepaccs.fhir;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.PreferHandlingEnum;
import ca.uhn.fhir.rest.server.ElementsSupportEnum;
import ca.uhn.fhir.rest.server.HardcodedServerAddressStrategy;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.SearchPreferHandlingInterceptor;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Meta;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The FHIR REST API on {@code /fhir/*}: every R4 resource type backed by HAPI JPA, the
 * system-level operations (transaction, batch, history), paging and the
 * CapabilityStatement. Features contribute {@link FhirServerInterceptor}s,
 * {@link FhirOperationProvider}s and {@link OwnResourceProvider}s by type.
 */
@Configuration(proxyBeanMethods = false)
class FhirServerConfig {

	/** HAPI's REST server, built with the other singletons. */
	record FhirRestApi(RestfulServer server) {

	}

	static final String IMPLEMENTATION_DESCRIPTION = "EPaCCS: Electronic Palliative Care Co-ordination System";

	/**
	 * The server is held rather than being a bean itself: Spring Boot picks up a bean of
	 * a servlet type while it creates the web server, and builds it then (see
	 * {@link DeferredServlet}).
	 */
	@Bean
	FhirRestApi fhirRestApi(FhirContext fhirContext, FhirServerProperties properties,
			ResourceProviderFactory resourceProviders, JpaSystemProvider<Bundle, Meta> systemProvider,
			IFhirSystemDao<Bundle, Meta> systemDao, JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry, IValidationSupport validationSupport, DaoRegistry daoRegistry,
			DatabaseBackedPagingProvider pagingProvider, ObjectProvider<BuildProperties> buildProperties,
			List<FhirServerInterceptor> interceptors, List<FhirOperationProvider> operationProviders,
			List<OwnResourceProvider> ownProviders) {
		EpaccsRestfulServer server = new EpaccsRestfulServer(fhirContext);
		server.setServerName(properties.serverName());
		BuildProperties build = buildProperties.getIfAvailable();
		server.setServerVersion(build != null ? build.getVersion() : "development");
		server.setImplementationDescription(IMPLEMENTATION_DESCRIPTION);
		server.setDefaultResponseEncoding(EncodingEnum.JSON);
		server.setElementsSupport(ElementsSupportEnum.EXTENDED);
		if (properties.serverAddress() != null) {
			server.setServerAddressStrategy(new HardcodedServerAddressStrategy(properties.serverAddress().toString()));
		}

		pagingProvider.setDefaultPageSize(properties.defaultPageSize());
		pagingProvider.setMaximumPageSize(properties.maxPageSize());
		server.setPagingProvider(new ResultPages(pagingProvider, ownProviders));

		Set<String> ownTypes = ownProviders.stream()
			.map((provider) -> fhirContext.getResourceType(provider.getResourceType()))
			.collect(Collectors.toSet());
		Set<String> ownStorage = ownProviders.stream()
			.filter(OwnResourceProvider::replacesStorage)
			.map((provider) -> fhirContext.getResourceType(provider.getResourceType()))
			.collect(Collectors.toSet());
		daoRegistry.setSupportedResourceTypes(
				fhirContext.getResourceTypes().stream().filter((type) -> !ownStorage.contains(type)).toList());
		server.registerProviders(resourceProviders.createProviders()
			.stream()
			.filter((provider) -> !(provider instanceof IResourceProvider typed
					&& ownTypes.contains(fhirContext.getResourceType(typed.getResourceType()))))
			.toList());
		ownProviders.forEach(server::registerProvider);
		server.registerProvider(systemProvider);
		operationProviders.forEach(server::registerProvider);

		JpaCapabilityStatementProvider capabilityStatement = new JpaCapabilityStatementProvider(server, systemDao,
				storageSettings, searchParamRegistry, validationSupport);
		capabilityStatement.setImplementationDescription(IMPLEMENTATION_DESCRIPTION);
		server.setServerConformanceProvider(capabilityStatement);

		SearchPreferHandlingInterceptor unknownSearchParameters = new SearchPreferHandlingInterceptor(
				searchParamRegistry);
		unknownSearchParameters.setDefaultBehaviour(
				properties.unknownSearchParameters() == FhirServerProperties.UnknownSearchParameters.LENIENT
						? PreferHandlingEnum.LENIENT : PreferHandlingEnum.STRICT);
		server.registerInterceptor(unknownSearchParameters);
		server.registerInterceptor(new CapabilityStatementInterceptor(properties.serverName()));
		// in the order of their @Order (InterceptorOrder): HAPI calls hooks of one
		// pointcut and order in the order they were registered
		interceptors.forEach(server::registerInterceptor);
		return new FhirRestApi(server);
	}

	@Bean
	ServletRegistrationBean<DeferredServlet> fhirServlet(ObjectProvider<FhirRestApi> fhirRestApi) {
		ServletRegistrationBean<DeferredServlet> registration = new ServletRegistrationBean<>(
				new DeferredServlet(() -> fhirRestApi.getObject().server()), "/fhir/*");
		registration.setName("fhir");
		registration.setLoadOnStartup(1);
		return registration;
	}

}
