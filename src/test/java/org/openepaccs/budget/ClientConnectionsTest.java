package org.openepaccs.budget;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientConnectionsTest {

	@Test
	void readsTheKernelsStatesOfConnectionsByTheirPorts() {
		Map<Long, ClientConnections.State> table = new HashMap<>();
		// port 8080 (1F90) listening, one client open on 53924 (D2A4), one gone on 53925
		ClientConnections.read(
				"   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 7618 1",
				table);
		ClientConnections.read(
				"   1: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000   106        0 7619 1",
				table);
		ClientConnections.read("   2: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D2A5 08 "
				+ "00000000:00000000 00:00000000 00000000   106        0 7620 1", table);
		ClientConnections connections = connections(table);

		assertThat(connections.of(8080, 53924)).isEqualTo(ClientConnections.State.OPEN);
		assertThat(connections.of(8080, 53925)).isEqualTo(ClientConnections.State.CLOSED_BY_CLIENT);
		assertThat(connections.of(8080, 53926)).isEqualTo(ClientConnections.State.ABSENT);
	}

	@Test
	void twoConnectionsWithTheSamePortsAreNeverTakenForAClosedOne() {
		Map<Long, ClientConnections.State> table = new HashMap<>();
		// two clients on different addresses that happen to use the same port
		ClientConnections.read("   1: 0100007F:1F90 0200000A:D2A4 01 00000000:00000000 00:00000000 00000000 0 0 1 1",
				table);
		ClientConnections.read("   2: 0100007F:1F90 0300000A:D2A4 08 00000000:00000000 00:00000000 00000000 0 0 2 1",
				table);

		assertThat(connections(table).of(8080, 53924)).isEqualTo(ClientConnections.State.OTHER);
	}

	@Test
	void aGarbledLineIsSkipped() {
		Map<Long, ClientConnections.State> table = new HashMap<>();
		ClientConnections.read("  sl  local_address rem_address   st tx_queue", table);
		ClientConnections.read("   1: 0100007F:ZZZZ 0100007F:D2A4 08", table);
		assertThat(table).isEmpty();
	}

	private static ClientConnections connections(Map<Long, ClientConnections.State> table) {
		return new ClientConnections(table);
	}

}
