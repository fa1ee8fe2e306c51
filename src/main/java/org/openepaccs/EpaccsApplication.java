package org.openepaccs;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The EPaCCS FHIR server: HAPI FHIR JPA (R4) on Spring Boot, storing in PostgreSQL or, by
 * default, an embedded H2 database. Scheduled jobs (such as reloading consent refusals)
 * run on Spring's scheduler.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class EpaccsApplication {

	public static void main(String[] args) {
		SpringApplication.run(EpaccsApplication.class, args);
	}

}
