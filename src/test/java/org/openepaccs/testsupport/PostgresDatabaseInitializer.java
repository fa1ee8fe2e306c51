package org.openepaccs.testsupport;

import java.util.Map;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Points the shared test application at this run's own PostgreSQL database, see
 * {@link EpaccsIntegrationTest}.
 */
public class PostgresDatabaseInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		TestDatabase server = TestDatabase.server();
		context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("epaccs-test-database",
					Map.of("spring.datasource.url", TestDatabase.sharedDatabaseUrl(), "spring.datasource.username",
							server.user(), "spring.datasource.password", server.password())));
	}

}
