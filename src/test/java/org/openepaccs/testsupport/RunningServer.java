package org.openepaccs.testsupport;

import java.util.ArrayList;
import java.util.List;

import org.openepaccs.EpaccsApplication;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The server started as a deployer starts it (command-line arguments only, random port),
 * for tests that need to stop and start it, or to run it with a configuration the shared
 * test context does not have.
 */
public final class RunningServer implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private RunningServer(ConfigurableApplicationContext context) {
		this.context = context;
	}

	public static RunningServer start(String... arguments) {
		List<String> all = new ArrayList<>(List.of(arguments));
		all.add("--server.port=0");
		return new RunningServer(SpringApplication.run(EpaccsApplication.class, all.toArray(String[]::new)));
	}

	/**
	 * Started on a PostgreSQL database of this test run, with the {@code postgres}
	 * profile and the {@code demo} profile's token issuer the tests get their tokens
	 * from.
	 */
	public static RunningServer startOnPostgres(String jdbcUrl, String... moreArguments) {
		TestDatabase server = TestDatabase.server();
		List<String> arguments = new ArrayList<>(List.of("--spring.profiles.active=postgres,demo",
				"--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=" + server.user(),
				"--spring.datasource.password=" + server.password()));
		arguments.addAll(List.of(moreArguments));
		return start(arguments.toArray(String[]::new));
	}

	public int port() {
		return ((ServletWebServerApplicationContext) this.context).getWebServer().getPort();
	}

	public FhirHttp http() {
		return new FhirHttp(port());
	}

	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	@Override
	public void close() {
		this.context.close();
	}

}
