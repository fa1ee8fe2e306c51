package org.openepaccs.notification;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs one notification and says how it went. The connection goes to an address that
 * {@link EndpointAddresses} resolved and checked at that moment (the client's DNS
 * resolver is that check, so nothing resolves the name a second time between check and
 * connect), redirects are not followed, and no proxy, cookie or retry of the client's own
 * is used: the outbox retries.
 */
final class NotificationSender implements AutoCloseable {

	/** A reason a delivery failed, in classes fit for a log: never a body or a value. */
	static final String TIMEOUT = "timeout";

	static final String REFUSED = "connection refused";

	static final String TLS = "TLS";

	static final String ADDRESS_NOT_ALLOWED = "address not allowed";

	static final String UNKNOWN_HOST = "unknown host";

	static final String CONNECTION = "connection failed";

	private final CloseableHttpClient client;

	private final Duration timeout;

	/**
	 * Ends an exchange at its deadline: the client's own timeouts bound each read only.
	 */
	private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "notification-deadline");
		thread.setDaemon(true);
		return thread;
	});

	NotificationSender(EndpointAddresses addresses, Duration timeout) {
		this.timeout = timeout;
		Timeout limit = Timeout.of(timeout);
		this.client = HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
				.setDnsResolver(new CheckingResolver(addresses))
				.setDefaultConnectionConfig(
						ConnectionConfig.custom().setConnectTimeout(limit).setSocketTimeout(limit).build())
				.setMaxConnTotal(20)
				.setMaxConnPerRoute(2)
				.build())
			.setDefaultRequestConfig(
					RequestConfig.custom().setResponseTimeout(limit).setConnectionRequestTimeout(limit).build())
			.disableRedirectHandling()
			.disableAutomaticRetries()
			.disableCookieManagement()
			.disableAuthCaching()
			.build();
	}

	/**
	 * Sends the body with the headers, within the timeout from start to end.
	 * @return null when the receiver answered 2xx, else the class of the failure
	 * ({@code HTTP 5xx}, {@link #TIMEOUT}, …)
	 */
	String send(URI endpoint, List<Map.Entry<String, String>> headers, String body) {
		HttpPost post = new HttpPost(endpoint);
		headers.forEach((header) -> post.addHeader(header.getKey(), header.getValue()));
		post.setEntity(new StringEntity(body, ContentType.create("application/fhir+json", StandardCharsets.UTF_8)));
		ScheduledFuture<?> deadline = this.deadlines.schedule(post::cancel, this.timeout.toMillis(),
				TimeUnit.MILLISECONDS);
		try {
			int status = this.client.execute(post, (response) -> {
				EntityUtils.consume(response.getEntity());
				return response.getCode();
			});
			return (status / 100 == 2) ? null : "HTTP " + (status / 100) + "xx";
		}
		catch (IOException ex) {
			return post.isCancelled() ? TIMEOUT : reason(ex);
		}
		finally {
			deadline.cancel(false);
		}
	}

	static String reason(IOException ex) {
		if (ex instanceof EndpointAddresses.RefusedAddressException) {
			return ADDRESS_NOT_ALLOWED;
		}
		if (ex instanceof UnknownHostException) {
			return UNKNOWN_HOST;
		}
		if (ex instanceof InterruptedIOException) {
			return TIMEOUT; // connect, read and pool timeouts all are
		}
		if (ex instanceof ConnectException) {
			return REFUSED;
		}
		if (ex instanceof SSLException) {
			return TLS;
		}
		return CONNECTION;
	}

	@Override
	public void close() throws IOException {
		this.deadlines.shutdownNow();
		this.client.close();
	}

	/** The client's name resolution: every address checked, or none returned. */
	private record CheckingResolver(EndpointAddresses addresses) implements DnsResolver {

		@Override
		public InetAddress[] resolve(String host) throws UnknownHostException {
			return this.addresses.resolve(host);
		}

		@Override
		public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
			return Arrays.stream(resolve(host)).map((address) -> new InetSocketAddress(address, port)).toList();
		}

		@Override
		public String resolveCanonicalHostname(String host) {
			// only used for Kerberos/SPNEGO, which a notification never does
			return host;
		}

	}

}
