package org.openepaccs.common;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Ends the training start of {@code docker/aot-cache.sh}
 * ({@code epaccs.training-run=true}) once the server is ready and has answered one
 * request. Java records its ahead-of-time cache from what this start loads and runs, so a
 * start recorded through to readiness also holds the package install, the ready checks
 * and the request path, which a start stopped at the context's refresh leaves out. Exits
 * 1 if the request fails, so that the script does not keep a cache of a start that did
 * not work. The start-up benchmark trains plain HAPI's own cache with it too, the same
 * way. It acts only in a JVM recording a cache ({@code -XX:AOTCacheOutput}): set by
 * mistake on a serving replica, the property would otherwise stop every replica of a
 * rolling update once ready.
 */
@Component
@ConditionalOnProperty(name = "epaccs.training-run", havingValue = "true")
public class TrainingRunExit {

	private static final Logger log = LoggerFactory.getLogger(TrainingRunExit.class);

	@EventListener(ApplicationReadyEvent.class)
	public void ready(ApplicationReadyEvent event) {
		if (ManagementFactory.getRuntimeMXBean()
			.getInputArguments()
			.stream()
			.noneMatch((argument) -> argument.startsWith("-XX:AOTCacheOutput"))) {
			log.error("epaccs.training-run is set, but this JVM records no ahead-of-time cache "
					+ "(-XX:AOTCacheOutput): ignored, the server keeps running");
			return;
		}
		ConfigurableApplicationContext context = event.getApplicationContext();
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		// on a thread of its own: exiting runs the shutdown hook, which waits for the
		// context that is still publishing this event
		Thread exit = new Thread(() -> {
			int status = answered(port) ? SpringApplication.exit(context) : 1;
			log.warn("Training start done: exiting with status {} for the ahead-of-time cache to be written", status);
			System.exit(status);
		}, "training-run-exit");
		exit.start();
	}

	private static boolean answered(int port) {
		try {
			HttpResponse<Void> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fhir/metadata"))
					.timeout(Duration.ofSeconds(60))
					.build(), HttpResponse.BodyHandlers.discarding());
			if (response.statusCode() == 200) {
				return true;
			}
			log.error("Training start: /fhir/metadata answered {}", response.statusCode());
		}
		catch (java.io.IOException ex) {
			log.error("Training start: /fhir/metadata did not answer: {}", ex.getMessage());
		}
		catch (InterruptedException ex) {
			log.error("Training start: interrupted waiting for /fhir/metadata");
			Thread.currentThread().interrupt();
		}
		return false;
	}

}
