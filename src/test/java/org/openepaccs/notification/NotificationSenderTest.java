package org.openepaccs.notification;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sender against a real HTTP server on loopback, with the DNS answers it is given.
 */
class NotificationSenderTest {

	HttpServer server;

	int port;

	List<String> requests = new CopyOnWriteArrayList<>();

	@BeforeEach
	void aReceiver() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.port = this.server.getAddress().getPort();
		this.server.createContext("/hook", (exchange) -> {
			this.requests.add("/hook Host=" + exchange.getRequestHeaders().getFirst("Host"));
			exchange.getRequestBody().readAllBytes();
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		this.server.createContext("/moved", (exchange) -> {
			this.requests.add("/moved");
			exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + this.port + "/hook");
			exchange.sendResponseHeaders(302, -1);
			exchange.close();
		});
		this.server.createContext("/drip", (exchange) -> {
			this.requests.add("/drip");
			exchange.sendResponseHeaders(200, 0);
			try (var body = exchange.getResponseBody()) {
				for (int i = 0; i < 40; i++) {
					body.write(' ');
					body.flush();
					Thread.sleep(100); // the receiver answering slowly, not the test
										// waiting
				}
			}
			catch (InterruptedException | IOException ex) {
				Thread.currentThread().interrupt();
			}
			exchange.close();
		});
		this.server.createContext("/down", (exchange) -> {
			this.requests.add("/down");
			exchange.sendResponseHeaders(503, -1);
			exchange.close();
		});
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void connectsToTheAddressItCheckedAndNamesTheHostItWasGiven() throws IOException {
		try (NotificationSender sender = sender(List.of("127.0.0.1/32"), "receiver.test", "127.0.0.1")) {
			String failure = sender.send(URI.create("http://receiver.test:" + this.port + "/hook"), List.of(), "{}");

			assertThat(failure).isNull();
			assertThat(this.requests).containsExactly("/hook Host=receiver.test:" + this.port);
		}
	}

	@Test
	void aNameThatNowResolvesToALoopbackAddressIsNotCalled() throws IOException {
		try (NotificationSender sender = sender(List.of(), "receiver.test", "127.0.0.1")) {
			String failure = sender.send(URI.create("http://receiver.test:" + this.port + "/hook"), List.of(), "{}");

			assertThat(failure).isEqualTo("address not allowed");
			assertThat(this.requests).isEmpty();
		}
	}

	@Test
	void anAddressLiteralIsCheckedToo() throws IOException {
		try (NotificationSender sender = new NotificationSender(
				new EndpointAddresses(List.of(), true, InetAddress::getAllByName), Duration.ofSeconds(5))) {
			String failure = sender.send(URI.create("http://127.0.0.1:" + this.port + "/hook"), List.of(), "{}");

			assertThat(failure).isEqualTo("address not allowed");
			assertThat(this.requests).isEmpty();
		}
	}

	@Test
	void aRedirectIsAFailureAndIsNotFollowed() throws IOException {
		try (NotificationSender sender = sender(List.of("127.0.0.1/32"), "receiver.test", "127.0.0.1")) {
			String failure = sender.send(URI.create("http://receiver.test:" + this.port + "/moved"), List.of(), "{}");

			assertThat(failure).isEqualTo("HTTP 3xx");
			assertThat(this.requests).containsExactly("/moved");
		}
	}

	@Test
	void failuresAreNamedByTheirClass() throws IOException {
		try (NotificationSender sender = sender(List.of("127.0.0.1/32"), "receiver.test", "127.0.0.1")) {
			assertThat(sender.send(URI.create("http://receiver.test:" + this.port + "/down"), List.of(), "{}"))
				.isEqualTo("HTTP 5xx");
			int closed = NotificationIT.freePort();
			assertThat(sender.send(URI.create("http://receiver.test:" + closed + "/hook"), List.of(), "{}"))
				.isEqualTo("connection refused");
			assertThat(sender.send(URI.create("http://elsewhere.test:" + closed + "/hook"), List.of(), "{}"))
				.isEqualTo("unknown host");
		}
	}

	@Test
	void aReceiverThatAnswersTooSlowlyTimesOutAlthoughEachReadIsQuick() throws IOException {
		try (NotificationSender sender = new NotificationSender(
				new EndpointAddresses(List.of("127.0.0.1/32"), true,
						EndpointAddressesTest.resolving(Map.of("receiver.test", "127.0.0.1"))),
				Duration.ofSeconds(1))) {
			assertThat(sender.send(URI.create("http://receiver.test:" + this.port + "/drip"), List.of(), "{}"))
				.isEqualTo("timeout");
		}
	}

	private static NotificationSender sender(List<String> allowed, String host, String address) {
		return new NotificationSender(
				new EndpointAddresses(allowed, true, EndpointAddressesTest.resolving(Map.of(host, address))),
				Duration.ofSeconds(5));
	}

}
