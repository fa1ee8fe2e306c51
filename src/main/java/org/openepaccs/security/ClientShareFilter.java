package org.openepaccs.security;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.openepaccs.common.OperationOutcomeResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * No client may hold more than its share of the database's connections: each OAuth2
 * client has as many FHIR requests in progress at once as its share of the pool, and a
 * request beyond that waits briefly for a turn, then gets 429 with {@code Retry-After}.
 * So a misbehaving client slows only itself, and an out-of-hours clinician's lookup still
 * finds a free connection.
 */
final class ClientShareFilter extends OncePerRequestFilter {

	static final int RETRY_AFTER_SECONDS = 1;

	private final Callers callers;

	private final int permits;

	private final Duration wait;

	private final Map<String, Semaphore> byClient = new ConcurrentHashMap<>();

	ClientShareFilter(Callers callers, int permits, Duration wait) {
		this.callers = callers;
		this.permits = permits;
		this.wait = wait;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Optional<String> client = this.callers.current().map(Caller::clientId);
		if (client.isEmpty()) {
			chain.doFilter(request, response); // public endpoints, or refused already
			return;
		}
		Semaphore turns = this.byClient.computeIfAbsent(client.get(), (key) -> new Semaphore(this.permits, true));
		boolean acquired;
		try {
			acquired = turns.tryAcquire(this.wait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			acquired = false;
		}
		if (!acquired) {
			response.setHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
			OperationOutcomeResponse.write(response, 429, IssueType.THROTTLED,
					"This client already has " + this.permits + " requests in progress, its share of the server's "
							+ "database connections (epaccs.database.client-share); wait for them to finish, or send "
							+ "fewer at once");
			return;
		}
		try {
			chain.doFilter(request, response);
		}
		finally {
			turns.release();
		}
	}

}
