package org.openepaccs.budget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of the server's TCP connections as the Linux kernel reports them in
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6}, so that a request whose client has
 * gone can be noticed while the server is still working on it.
 * <p>
 * Why the kernel's table: Tomcat learns that a client has gone only when it next writes
 * to the connection, which for a slow search is when the answer is ready. The kernel
 * knows at once: the connection of a client that closed it is in {@code CLOSE_WAIT}, and
 * one the client reset is no longer listed. Reading the table touches no socket, so it
 * cannot disturb a request. Elsewhere than on Linux the table is absent and nothing is
 * noticed.
 */
final class ClientConnections {

	/** What the kernel says of one connection. */
	enum State {

		/** Both ends open. */
		OPEN,
		/** The client has closed its end. */
		CLOSED_BY_CLIENT,
		/** Some other state (closing from the server's end, or a listening socket). */
		OTHER,
		/** Not listed: reset by the client, or never a TCP connection we can see. */
		ABSENT

	}

	private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

	private final Map<Long, State> byPorts;

	ClientConnections(Map<Long, State> byPorts) {
		this.byPorts = byPorts;
	}

	/** The connections now, or an empty table where the kernel does not offer one. */
	static ClientConnections now() {
		Map<Long, State> byPorts = new HashMap<>();
		for (Path table : TABLES) {
			try {
				List<String> lines = Files.readAllLines(table);
				for (int i = 1; i < lines.size(); i++) {
					read(lines.get(i), byPorts);
				}
			}
			catch (IOException | RuntimeException ex) {
				// no such table here (not Linux, or no IPv6): nothing to learn from it
			}
		}
		return new ClientConnections(byPorts);
	}

	/**
	 * The state of the connection between the server's local port and the client's port.
	 * Ports alone, not addresses, because the address a request reports may be a proxy's
	 * forwarded one; two connections with the same pair of ports count as unknown.
	 */
	State of(int localPort, int remotePort) {
		return this.byPorts.getOrDefault(key(localPort, remotePort), State.ABSENT);
	}

	// " 12: 0100007F:1F90 0100007F:D2A4 08 ..." (address:port in hex, then the state)
	static void read(String line, Map<Long, State> byPorts) {
		String[] fields = line.trim().split("\\s+");
		if (fields.length < 4) {
			return;
		}
		int localPort = port(fields[1]);
		int remotePort = port(fields[2]);
		if (localPort < 0 || remotePort <= 0) {
			return;
		}
		State state = switch (fields[3]) {
			case "01" -> State.OPEN;
			case "08" -> State.CLOSED_BY_CLIENT;
			default -> State.OTHER;
		};
		byPorts.merge(key(localPort, remotePort), state, (one, other) -> State.OTHER);
	}

	private static int port(String address) {
		int colon = address.lastIndexOf(':');
		if (colon < 0) {
			return -1;
		}
		try {
			return Integer.parseInt(address.substring(colon + 1), 16);
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static long key(int localPort, int remotePort) {
		return ((long) localPort << 32) | remotePort;
	}

}
