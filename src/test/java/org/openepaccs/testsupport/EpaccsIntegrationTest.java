package org.openepaccs.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.openepaccs.EpaccsApplication;

import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole server on a random port, on this run's own PostgreSQL database, with the
 * {@code postgres} profile a deployer would use, tokens from the {@code demo} profile's
 * issuer and metrics exported as in production. Every test class so annotated shares one
 * application context (Spring's context cache): a HAPI start costs about 50 CPU-seconds,
 * so do not add per-class properties here.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(classes = EpaccsApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		// the tests' notification receivers listen on loopback over plain http, which the
		// server refuses unless configured
		properties = { "epaccs.notifications.allow-http=true", "epaccs.notifications.allowed-addresses=127.0.0.1/32" })
@ActiveProfiles({ "postgres", "demo" })
@AutoConfigureObservability(tracing = false)
@ContextConfiguration(initializers = PostgresDatabaseInitializer.class)
public @interface EpaccsIntegrationTest {

}
