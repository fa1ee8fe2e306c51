package org.openepaccs.budget;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every FHIR request a database time budget ({@link DatabaseBudgetProperties}): the
 * application's DataSource hands out connections that {@link RequestDeadlines} tracks, a
 * filter opens and closes each request's budget, and a watchdog cancels the statements of
 * requests past theirs.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseBudgetConfig {

	@Bean
	static RequestDeadlines requestDeadlines() {
		return new RequestDeadlines();
	}

	@Bean
	OverBudgetInterceptor overBudgetInterceptor(RequestDeadlines deadlines) {
		return new OverBudgetInterceptor(deadlines);
	}

	@Bean
	DatabaseUnavailableInterceptor databaseUnavailableInterceptor(DatabaseReachability reachability) {
		return new DatabaseUnavailableInterceptor(reachability);
	}

	/**
	 * The readiness probe's {@code db} component, in place of Spring Boot's, which asks
	 * the connection pool and so answers only after the pool's connection timeout while
	 * the database is away.
	 */
	@Bean("dbHealthIndicator")
	DatabaseReachability databaseReachability(DataSource dataSource) {
		return new DatabaseReachability(probeConnections(dataSource)).start();
	}

	@Bean
	OutageLogFilter outageLogFilter(DatabaseReachability reachability) {
		return new OutageLogFilter(reachability);
	}

	/**
	 * Connections made like the pool's (same URL, credentials and driver properties) but
	 * outside it, with timeouts short enough for a check every quarter of a second.
	 */
	static DatabaseReachability.ProbeConnections probeConnections(DataSource dataSource) {
		HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariDataSource.class);
		if (pool == null || pool.getJdbcUrl() == null) {
			return dataSource::getConnection;
		}
		String url = pool.getJdbcUrl();
		Properties properties = new Properties();
		properties.putAll(pool.getDataSourceProperties());
		if (pool.getUsername() != null) {
			properties.setProperty("user", pool.getUsername());
		}
		if (pool.getPassword() != null) {
			properties.setProperty("password", pool.getPassword());
		}
		if (url.startsWith("jdbc:postgresql:")) {
			properties.setProperty("connectTimeout", "1");
			properties.setProperty("loginTimeout", "1");
			properties.setProperty("socketTimeout", "2");
			properties.setProperty("ApplicationName", "epaccs readiness");
		}
		return () -> DriverManager.getConnection(url, properties);
	}

	@Bean
	static BeanPostProcessor budgetedDataSource(RequestDeadlines deadlines) {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if ("dataSource".equals(beanName) && bean instanceof DataSource dataSource
						&& !(bean instanceof BudgetedDataSource)) {
					return new BudgetedDataSource(dataSource, deadlines);
				}
				return bean;
			}
		};
	}

	@Bean
	FilterRegistrationBean<OncePerRequestFilter> requestTimeBudgetFilter(RequestDeadlines deadlines,
			DatabaseBudgetProperties properties) {
		OncePerRequestFilter filter = new OncePerRequestFilter() {
			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				RequestDeadlines.Deadline deadline = properties.cancelOnDisconnect() ? deadlines
					.begin(properties.requestTimeBudget(), request.getLocalPort(), request.getRemotePort())
						: deadlines.begin(properties.requestTimeBudget());
				try {
					chain.doFilter(request, response);
				}
				finally {
					deadlines.end(deadline);
				}
			}
		};
		FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
		registration.addUrlPatterns("/fhir/*");
		registration.setName("requestTimeBudget");
		registration.setOrder(Ordered.LOWEST_PRECEDENCE - 100);
		return registration;
	}

	@Bean
	DeadlineWatchdog deadlineWatchdog(RequestDeadlines deadlines) {
		return new DeadlineWatchdog(deadlines);
	}

	/**
	 * Cancels the statements of requests past their budget, and of requests whose client
	 * has gone, four times a second.
	 */
	static class DeadlineWatchdog {

		private static final Logger log = LoggerFactory.getLogger(DeadlineWatchdog.class);

		// a request answered within this never has its connection looked up
		private static final Duration LOOK_FOR_DISCONNECT_AFTER = Duration.ofMillis(500);

		private final RequestDeadlines deadlines;

		DeadlineWatchdog(RequestDeadlines deadlines) {
			this.deadlines = deadlines;
		}

		@Scheduled(fixedDelay = 250)
		void cancelOverdue() {
			this.deadlines.cancelOverdue();
			int abandoned = this.deadlines.cancelAbandoned(LOOK_FOR_DISCONNECT_AFTER);
			if (abandoned > 0) {
				log.info("{} request(s) stopped because the client closed the connection before the answer; "
						+ "their database work was cancelled and rolled back", abandoned);
			}
		}

	}

	/**
	 * The application's DataSource, with connections tracked while a request is served.
	 */
	static final class BudgetedDataSource extends DelegatingDataSource {

		private final RequestDeadlines deadlines;

		BudgetedDataSource(DataSource target, RequestDeadlines deadlines) {
			super(target);
			this.deadlines = deadlines;
		}

		@Override
		public Connection getConnection() throws SQLException {
			return this.deadlines.track(super.getConnection());
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return this.deadlines.track(super.getConnection(username, password));
		}

	}

}
