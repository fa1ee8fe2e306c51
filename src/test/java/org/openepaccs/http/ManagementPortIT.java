package org.openepaccs.http;

import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.RunningServer;
import org.openepaccs.testsupport.TestDatabase;

import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The actuator on a port of its own ({@code management.server.port}): its metrics need an
 * admin token there too unless the deployer opens that port, and opening it leaves the
 * server's own port closed.
 */
class ManagementPortIT {

	@Test
	void metricsOnASeparatePortNeedAnAdminTokenUnlessThatPortIsOpened() {
		String database = TestDatabase.server().createDatabase();
		try (RunningServer server = RunningServer.startOnPostgres(database, "--management.server.port=0")) {
			int management = managementPort(server);

			assertThat(FhirHttp.anonymous(management).get("/actuator/prometheus").status()).isEqualTo(401);
			assertThat(FhirHttp.anonymous(management).get("/actuator/health/readiness").status()).isEqualTo(200);
			Response metrics = FhirHttp.anonymous(management)
				.get("/actuator/prometheus", "Authorization",
						"Bearer " + FhirHttp.as(server.port(), "admin").accessToken());
			assertThat(metrics.status()).isEqualTo(200);
			assertThat(metrics.body()).contains("hikaricp_connections_active");
		}

		try (RunningServer server = RunningServer.startOnPostgres(database, "--management.server.port=0",
				"--epaccs.security.open-management-port=true")) {
			int management = managementPort(server);

			Response metrics = FhirHttp.anonymous(management).get("/actuator/prometheus");
			assertThat(metrics.status()).isEqualTo(200);
			assertThat(metrics.body()).contains("hikaricp_connections_active");
			Response onServerPort = FhirHttp.anonymous(server.port()).get("/actuator/prometheus");
			assertThat(onServerPort.status()).isIn(401, 404);
			assertThat(onServerPort.body()).doesNotContain("hikaricp");
		}
	}

	private static int managementPort(RunningServer server) {
		Integer port = server.bean(Environment.class).getProperty("local.management.port", Integer.class);
		assertThat(port).as("a separate management port").isNotNull().isNotEqualTo(server.port());
		return port;
	}

}
