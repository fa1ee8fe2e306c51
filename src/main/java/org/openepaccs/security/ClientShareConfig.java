package org.openepaccs.security;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.openepaccs.budget.DatabaseBudgetProperties;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers {@link ClientShareFilter} on {@code /fhir/*}, after authentication. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "epaccs.security.enabled", matchIfMissing = true)
class ClientShareConfig {

	/** When the pool's size cannot be read (not Hikari). */
	private static final int DEFAULT_POOL_SIZE = 10;

	@Bean
	ClientShareFilter clientShare(Callers callers, DatabaseBudgetProperties properties, DataSource dataSource) {
		HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariDataSource.class);
		int poolSize = (pool != null) ? pool.getMaximumPoolSize() : DEFAULT_POOL_SIZE;
		int permits = Math.max(1, (int) Math.ceil(poolSize * properties.clientShare()));
		return new ClientShareFilter(callers, permits, properties.clientWait());
	}

	@Bean
	FilterRegistrationBean<ClientShareFilter> clientShareFilter(ClientShareFilter filter) {
		FilterRegistrationBean<ClientShareFilter> registration = new FilterRegistrationBean<>(filter);
		registration.addUrlPatterns("/fhir/*");
		registration.setName("clientShare");
		// after Spring Security's chain (-100), which reads the token
		registration.setOrder(0);
		return registration;
	}

}
