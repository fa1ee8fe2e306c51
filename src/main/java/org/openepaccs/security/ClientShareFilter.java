package org.openepaccs.security;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.openepaccs.common.OperationOutcomeResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * No client may hold more than its share of the server: of the database's connections
 * always, and of its processors while other clients are being served.
 * <ul>
 * <li>Each OAuth2 client has at most as many FHIR requests in progress at once as its
 * share of the connection pool.</li>
 * <li>While more than one client is active (a request in progress, or one finished within
 * {@link #ACTIVE} ago), each has at most its share of the processors: their number
 * divided by the clients active, and at least one. Much of a request's cost is CPU
 * (parsing, validation, indexing), which a connection share does not bound: four costly
 * requests of one client on two cores left an out-of-hours clinician's summary waiting
 * for a core. Alone, a client may use them all.</li>
 * </ul>
 * A request beyond its share waits briefly for a turn, then gets 429 with
 * {@code Retry-After}. So a misbehaving client slows only itself, and an out-of-hours
 * clinician's lookup still finds a connection and a processor.
 */
final class ClientShareFilter extends OncePerRequestFilter {

	static final int RETRY_AFTER_SECONDS = 1;

	/** How long after its last request a client still counts as being served. */
	static final Duration ACTIVE = Duration.ofSeconds(1);

	private final Callers callers;

	private final int permits;

	private final Duration wait;

	private final int processors;

	private final long activeNanos;

	private final ReentrantLock turns = new ReentrantLock();

	private final Condition turnGivenBack = this.turns.newCondition();

	/** Guarded by {@link #turns}. */
	private final Map<String, Client> clients = new HashMap<>();

	private static final class Client {

		int inProgress;

		long lastSeen;

	}

	ClientShareFilter(Callers callers, int permits, Duration wait) {
		this(callers, permits, wait, Runtime.getRuntime().availableProcessors(), ACTIVE);
	}

	ClientShareFilter(Callers callers, int permits, Duration wait, int processors, Duration active) {
		this.callers = callers;
		this.permits = permits;
		this.wait = wait;
		this.processors = processors;
		this.activeNanos = active.toNanos();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Optional<String> client = this.callers.current().map(Caller::clientId);
		if (client.isEmpty()) {
			chain.doFilter(request, response); // public endpoints, or refused already
			return;
		}
		int share;
		try {
			share = takeTurn(client.get());
		}
		catch (InterruptedException ex) {
			// no turn was taken: answered as a wait that ran out
			Thread.currentThread().interrupt();
			share = this.permits;
		}
		if (share > 0) {
			response.setHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
			OperationOutcomeResponse.write(response, 429, IssueType.THROTTLED, (share >= this.permits)
					? "This client already has " + this.permits + " requests in progress, its share of the server's "
							+ "database connections (epaccs.database.client-share); wait for them to finish, or send "
							+ "fewer at once"
					: "This client already has " + share + " request" + ((share == 1) ? "" : "s")
							+ " in progress, its share of the server's processors while other clients are being "
							+ "served; wait for " + ((share == 1) ? "it" : "them")
							+ " to finish, or send fewer at once");
			return;
		}
		try {
			chain.doFilter(request, response);
		}
		finally {
			giveBack(client.get());
		}
	}

	/**
	 * Waits for the client's turn: 0 when it has one, otherwise the share it was held to
	 * when the wait ran out.
	 */
	private int takeTurn(String clientId) throws InterruptedException {
		this.turns.lock();
		try {
			long now = System.nanoTime();
			long until = now + this.wait.toNanos();
			Client client = this.clients.computeIfAbsent(clientId, (id) -> new Client());
			client.lastSeen = now;
			int share = shareOf(now);
			while (client.inProgress >= share) {
				long left = until - System.nanoTime();
				if (left <= 0) {
					return share;
				}
				// others going quiet widens the share without a turn being given back
				this.turnGivenBack.awaitNanos(Math.min(left, this.activeNanos));
				now = System.nanoTime();
				client.lastSeen = now;
				share = shareOf(now);
			}
			client.inProgress++;
			return 0;
		}
		finally {
			this.turns.unlock();
		}
	}

	private void giveBack(String clientId) {
		this.turns.lock();
		try {
			Client client = this.clients.get(clientId);
			client.inProgress--;
			client.lastSeen = System.nanoTime();
			this.turnGivenBack.signalAll();
		}
		finally {
			this.turns.unlock();
		}
	}

	/**
	 * Waits until no client's request is in progress, or at most {@code atMost}: how the
	 * server's own background work gives way to the people it serves.
	 * @return whether that moment came
	 */
	boolean awaitIdle(Duration atMost) throws InterruptedException {
		this.turns.lock();
		try {
			long left = atMost.toNanos();
			while (inProgress() > 0) {
				if (left <= 0) {
					return false;
				}
				left = this.turnGivenBack.awaitNanos(left);
			}
			return true;
		}
		finally {
			this.turns.unlock();
		}
	}

	private int inProgress() {
		int total = 0;
		for (Client client : this.clients.values()) {
			total += client.inProgress;
		}
		return total;
	}

	/** The turns each client has now; forgets clients long gone. Under {@link #turns}. */
	private int shareOf(long now) {
		int active = 0;
		for (Iterator<Client> it = this.clients.values().iterator(); it.hasNext();) {
			Client client = it.next();
			if (client.inProgress > 0 || now - client.lastSeen < this.activeNanos) {
				active++;
			}
			else if (now - client.lastSeen > 60 * this.activeNanos) {
				it.remove();
			}
		}
		if (active <= 1) {
			return this.permits;
		}
		return Math.min(this.permits, Math.max(1, this.processors / active));
	}

}
