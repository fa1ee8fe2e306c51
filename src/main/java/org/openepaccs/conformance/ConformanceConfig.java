package org.openepaccs.conformance;

import ca.uhn.fhir.context.FhirContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ConformanceConfig {

	private static final Logger log = LoggerFactory.getLogger(ConformanceConfig.class);

	@Bean
	ConformancePackage conformancePackage(FhirContext fhirContext) {
		long started = System.nanoTime();
		ConformancePackage conformancePackage = ConformancePackage.fromClasspath(fhirContext);
		log.info("Loaded conformance package {}#{}: {} resources in {} ms", conformancePackage.name(),
				conformancePackage.version(), conformancePackage.resources().size(),
				(System.nanoTime() - started) / 1_000_000);
		return conformancePackage;
	}

}
