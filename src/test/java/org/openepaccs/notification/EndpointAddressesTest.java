package org.openepaccs.notification;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointAddressesTest {

	/** An address of each class the server refuses by default, with what it is. */
	static Stream<Arguments> refusedByDefault() {
		return Stream.of(Arguments.of("127.0.0.1", "loopback"), Arguments.of("127.8.9.10", "loopback"),
				Arguments.of("::1", "loopback"), Arguments.of("10.1.2.3", "private"),
				Arguments.of("172.16.0.1", "private"), Arguments.of("172.31.255.255", "private"),
				Arguments.of("192.168.1.1", "private"), Arguments.of("fd12:3456::1", "private"),
				Arguments.of("fc00::1", "private"), Arguments.of("169.254.169.254", "link-local"),
				Arguments.of("fe80::1", "link-local"), Arguments.of("224.0.0.1", "multicast"),
				Arguments.of("239.255.255.250", "multicast"), Arguments.of("ff02::1", "multicast"),
				Arguments.of("0.0.0.0", "unspecified"), Arguments.of("::", "unspecified"),
				Arguments.of("100.64.0.1", "carrier-grade NAT"), Arguments.of("100.127.255.254", "carrier-grade NAT"),
				Arguments.of("255.255.255.255", "reserved"), Arguments.of("::ffff:127.0.0.1", "loopback"),
				Arguments.of("::ffff:169.254.169.254", "link-local"), Arguments.of("::ffff:a00:1", "private"),
				Arguments.of("64:ff9b::a9fe:a9fe", "link-local"), Arguments.of("2002:c0a8:101::1", "private"),
				Arguments.of("::10.0.0.1", "private"));
	}

	@ParameterizedTest(name = "{0} is refused as {1}")
	@MethodSource("refusedByDefault")
	void nonPublicAddressesAreRefusedByDefault(String literal, String kind) throws Exception {
		EndpointAddresses addresses = new EndpointAddresses(List.of(), false, InetAddress::getAllByName);
		String host = literal.contains(":") ? "[" + literal + "]" : literal;

		String refusal = addresses.refusal(URI.create("https://" + host + "/hook"));

		assertThat(refusal).contains(kind).doesNotContain(literal);
	}

	@Test
	void aNameThatResolvesToAPrivateAddressIsRefused() {
		EndpointAddresses addresses = new EndpointAddresses(List.of(), false,
				resolving(Map.of("ooh.example.nhs.uk", "10.20.30.40")));

		assertThat(addresses.refusal(URI.create("https://ooh.example.nhs.uk/hook"))).contains("private");
	}

	@Test
	void aNameWithOnePublicAndOnePrivateAddressIsRefused() {
		EndpointAddresses addresses = new EndpointAddresses(List.of(), false, (host) -> new InetAddress[] {
				InetAddress.getByName("81.2.69.142"), InetAddress.getByName("192.168.0.10") });

		assertThat(addresses.refusal(URI.create("https://ooh.example.nhs.uk/hook"))).contains("private");
	}

	@Test
	void aPublicHttpsEndpointIsAllowed() {
		EndpointAddresses addresses = new EndpointAddresses(List.of(), false,
				resolving(Map.of("ooh.example.nhs.uk", "81.2.69.142")));

		assertThat(addresses.refusal(URI.create("https://ooh.example.nhs.uk/hook"))).isNull();
	}

	@Test
	void plainHttpIsRefusedUnlessAllowed() {
		Map<String, String> dns = Map.of("ooh.example.nhs.uk", "81.2.69.142");

		assertThat(new EndpointAddresses(List.of(), false, resolving(dns))
			.refusal(URI.create("http://ooh.example.nhs.uk/hook"))).contains("https", "allow-http");
		assertThat(new EndpointAddresses(List.of(), true, resolving(dns))
			.refusal(URI.create("http://ooh.example.nhs.uk/hook"))).isNull();
	}

	@Test
	void configuredRangesAreAllowedAndNothingElse() {
		EndpointAddresses addresses = new EndpointAddresses(List.of("10.20.0.0/16", "127.0.0.1/32"), false,
				InetAddress::getAllByName);

		assertThat(addresses.refusal(URI.create("https://10.20.99.1/hook"))).isNull();
		assertThat(addresses.refusal(URI.create("https://127.0.0.1:8443/hook"))).isNull();
		assertThat(addresses.refusal(URI.create("https://10.21.0.1/hook"))).contains("private");
		assertThat(addresses.refusal(URI.create("https://127.0.0.2/hook"))).contains("loopback");
		assertThat(addresses.refusal(URI.create("https://[::1]/hook"))).contains("loopback");
	}

	@Test
	void aHostThatDoesNotResolveIsRefused() {
		EndpointAddresses addresses = new EndpointAddresses(List.of(), false, (host) -> {
			throw new UnknownHostException(host);
		});

		assertThat(addresses.refusal(URI.create("https://gone.example.nhs.uk/hook"))).contains("does not resolve");
	}

	@Test
	void credentialsInTheUrlAreRefused() {
		EndpointAddresses addresses = new EndpointAddresses(List.of(), false,
				resolving(Map.of("ooh.example.nhs.uk", "81.2.69.142")));

		assertThat(addresses.refusal(URI.create("https://user:pass@ooh.example.nhs.uk/hook"))).contains("password")
			.doesNotContain("pass@");
	}

	static EndpointAddresses.Resolver resolving(Map<String, String> dns) {
		return (host) -> {
			String address = dns.get(host);
			if (address == null) {
				throw new UnknownHostException(host);
			}
			return new InetAddress[] { InetAddress.getByName(address) };
		};
	}

}
