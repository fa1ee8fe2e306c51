package org.openepaccs.storage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.cfg.AvailableSettings;
import org.openepaccs.common.StartupLock;
import org.openepaccs.fhir.FhirStorageInterceptor;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.boot.autoconfigure.orm.jpa.JpaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * HAPI FHIR JPA storage for R4: HAPI's own configuration classes, the storage settings,
 * and an entity manager that only starts once {@link DatabaseSchema} has brought the
 * schema up to date.
 */
@Configuration(proxyBeanMethods = false)
@EnableTransactionManagement
@Import({ JpaR4Config.class, HapiJpaConfig.class, ThreadPoolFactoryConfig.class, JpaBatch2Config.class,
		Batch2JobsConfig.class, SubscriptionChannelConfig.class })
class JpaStorageConfig {

	@Bean
	JpaStorageSettings storageSettings() {
		JpaStorageSettings settings = new JpaStorageSettings();
		// a clinician must see a plan the moment it is written, never a cached search
		// from a minute ago
		settings.setReuseCachedSearchResultsForMillis(null);
		// sequential ids would tell anyone who can read one record how many people are on
		// the system
		settings.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.UUID);
		settings.setAllowExternalReferences(false);
		settings.setEnforceReferentialIntegrityOnWrite(true);
		// a batch's GET entries run on the request's own thread, not HAPI's pool: who is
		// calling (and so access rules, consent to share and audit) is bound to that
		// thread
		settings.setBundleBatchPoolSize(1);
		settings.setEnforceReferentialIntegrityOnDelete(true);
		settings.setExpungeEnabled(false);
		// validation uses the conformance package's in-memory value sets; HAPI's
		// scheduled
		// pre-expansion needs Hibernate Search (off here) and only logs errors
		settings.setPreExpandValueSets(false);
		// a batch job (a bulk export) moves to its next step as soon as its current one
		// is done, and a maintenance pass may be asked for (export.ExportProgress),
		// instead of each step waiting for the once-a-minute pass
		settings.setJobFastTrackingEnabled(true);
		return settings;
	}

	@Bean
	PartitionSettings partitionSettings() {
		return new PartitionSettings();
	}

	@Bean
	SubscriptionSettings subscriptionSettings() {
		return new SubscriptionSettings();
	}

	@Bean
	DatabaseSchema databaseSchema(DataSource dataSource,
			@Value("${epaccs.database.default-statistics-targets:true}") boolean defaultStatisticsTargets) {
		return StartupLock.holding(dataSource, "migrating HAPI's schema", () -> {
			DatabaseSchema schema = DatabaseSchema.migrate(dataSource);
			schema.fillResourceTypes(dataSource);
			if (schema.kind() == DatabaseSchema.Kind.POSTGRESQL && defaultStatisticsTargets) {
				PlannerStatistics.useDatabaseDefaults(dataSource);
			}
			return schema;
		});
	}

	/**
	 * Our own tables' migrations (Flyway) under the same start-up lock as HAPI's: Flyway
	 * locks its own history table as well, and under one lock a replica that waited finds
	 * every migration done.
	 */
	@Bean
	FlywayMigrationStrategy flywayMigrationStrategy(DataSource dataSource) {
		return (flyway) -> StartupLock.holding(dataSource, "migrating our own tables", flyway::migrate);
	}

	@Bean
	@Primary
	LocalContainerEntityManagerFactoryBean entityManagerFactory(ConfigurableListableBeanFactory beanFactory,
			FhirContext fhirContext, JpaStorageSettings storageSettings, DataSource dataSource,
			JpaProperties jpaProperties, DatabaseSchema databaseSchema) {
		LocalContainerEntityManagerFactoryBean factory = HapiEntityManagerFactoryUtil
			.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		factory.setPersistenceUnitName("HAPI_PU");
		factory.setDataSource(dataSource);
		Map<String, Object> properties = new HashMap<>(jpaProperties.getProperties());
		properties.put("hibernate.dialect", databaseSchema.kind().hibernateDialect);
		// the schema belongs to the migrator; Hibernate checks it and never changes it
		properties.put("hibernate.hbm2ddl.auto", "validate");
		properties.put(AvailableSettings.STATEMENT_INSPECTOR, new TagExclusionAsNotExists());
		factory.setJpaPropertyMap(properties);
		return factory;
	}

	/** Our storage hooks, on the interceptor service HAPI's DAOs broadcast to. */
	@Bean
	SmartInitializingSingleton storageInterceptorRegistration(IInterceptorService interceptorService,
			List<FhirStorageInterceptor> interceptors) {
		return () -> interceptors.forEach(interceptorService::registerInterceptor);
	}

	@Bean
	@Primary
	JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		return new JpaTransactionManager(entityManagerFactory);
	}

}
