package org.openepaccs;

import org.openepaccs.population.PopulationCommand;

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

	/**
	 * Runs the server, or with {@code population} as the first argument, the synthetic
	 * population loader against a running server (see {@link PopulationCommand}).
	 */
	public static void main(String[] args) throws Exception {
		if (args.length > 0 && "population".equals(args[0])) {
			PopulationCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length));
			return;
		}
		SpringApplication.run(EpaccsApplication.class, args);
	}

}
