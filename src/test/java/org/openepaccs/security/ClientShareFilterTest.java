package org.openepaccs.security;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One client flooding the server gets 429 beyond its share, while another client's
 * request goes straight through.
 */
class ClientShareFilterTest {

	private final ExecutorService threads = Executors.newFixedThreadPool(4);

	@AfterEach
	void stop() {
		this.threads.shutdownNow();
		SecurityContextHolder.clearContext();
	}

	@Test
	void aClientBeyondItsShareWaitsThenGets429AndOthersAreNotHeldUp() throws Exception {
		withCallers((callers) -> {
			ClientShareFilter filter = new ClientShareFilter(callers, 2, Duration.ofMillis(200));
			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch inside = new CountDownLatch(2);
			Future<?> first = this.threads.submit(() -> serve(filter, "flooder", inside, release));
			Future<?> second = this.threads.submit(() -> serve(filter, "flooder", inside, release));
			assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

			MockHttpServletResponse third = serve(filter, "flooder", null, null);
			assertThat(third.getStatus()).isEqualTo(429);
			assertThat(third.getHeader("Retry-After")).isEqualTo("1");
			assertThat(third.getContentAsString()).contains("OperationOutcome", "epaccs.database.client-share");

			MockHttpServletResponse other = serve(filter, "ooh-clinician", null, null);
			assertThat(other.getStatus()).isEqualTo(200);

			release.countDown();
			first.get(5, TimeUnit.SECONDS);
			second.get(5, TimeUnit.SECONDS);
			assertThat(serve(filter, "flooder", null, null).getStatus()).as("turns are given back").isEqualTo(200);
		});
	}

	@Test
	void whileAnotherClientIsServedEachHasItsShareOfTheProcessorsAndAloneAClientHasThemAll() throws Exception {
		withCallers((callers) -> {
			// four connections' worth, two processors, active for 3 s after a request
			ClientShareFilter filter = new ClientShareFilter(callers, 4, Duration.ofMillis(150), 2,
					Duration.ofSeconds(3));
			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch inside = new CountDownLatch(1);
			Future<?> first = this.threads.submit(() -> serve(filter, "flooder", inside, release));
			assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

			assertThat(serve(filter, "ooh-clinician", null, null).getStatus()).as("the other client is served")
				.isEqualTo(200);
			// two clients on two processors: one request each
			MockHttpServletResponse second = serve(filter, "flooder", null, null);
			assertThat(second.getStatus()).isEqualTo(429);
			assertThat(second.getHeader("Retry-After")).isEqualTo("1");
			assertThat(second.getContentAsString()).contains("OperationOutcome",
					"1 request in progress, its share of the server's processors");

			// the other client gone quiet, the flooder has the server to itself again
			org.awaitility.Awaitility.await("the flooder alone again")
				.atMost(Duration.ofSeconds(15))
				.until(() -> serve(filter, "flooder", null, null).getStatus() == 200);
			release.countDown();
			first.get(5, TimeUnit.SECONDS);
		});
	}

	@Test
	void backgroundWorkGivesWayUntilNoRequestIsInProgressButNotForever() throws Exception {
		withCallers((callers) -> {
			ClientShareFilter filter = new ClientShareFilter(callers, 4, Duration.ofMillis(150));
			assertThat(filter.awaitIdle(Duration.ZERO)).as("nothing in progress").isTrue();

			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch inside = new CountDownLatch(1);
			Future<?> request = this.threads.submit(() -> serve(filter, "ooh-clinician", inside, release));
			assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(filter.awaitIdle(Duration.ofMillis(100))).as("a request in progress for longer than the wait")
				.isFalse();

			Future<Boolean> waiting = this.threads.submit(() -> filter.awaitIdle(Duration.ofSeconds(30)));
			release.countDown();
			assertThat(waiting.get(10, TimeUnit.SECONDS)).as("the request finished").isTrue();
			request.get(5, TimeUnit.SECONDS);
		});
	}

	/** Runs the test with the callers of a context holding the access properties. */
	private static void withCallers(CallersTest test) {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
			.withUserConfiguration(Properties.class)
			.withPropertyValues("epaccs.security.embedded-issuer.enabled=true")
			.run((context) -> test.run(new Callers(context.getBean(AccessProperties.class))));
	}

	@FunctionalInterface
	private interface CallersTest {

		void run(Callers callers) throws Exception;

	}

	private static MockHttpServletResponse serve(ClientShareFilter filter, String client, CountDownLatch inside,
			CountDownLatch release) {
		Jwt jwt = Jwt.withTokenValue("t")
			.header("alg", "RS256")
			.subject(client)
			.claim("client_id", client)
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plusSeconds(60))
			.build();
		SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt));
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/fhir/Patient/1");
		MockHttpServletResponse response = new MockHttpServletResponse();
		try {
			filter.doFilter(request, response, (req, res) -> {
				if (inside != null) {
					inside.countDown();
					try {
						release.await(10, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
			});
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			SecurityContextHolder.clearContext();
		}
		return response;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(AccessProperties.class)
	static class Properties {

	}

}
