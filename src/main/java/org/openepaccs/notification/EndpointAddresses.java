package org.openepaccs.notification;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Which addresses the server may deliver notifications to. By default only public
 * addresses: never a loopback, private (RFC 1918, IPv6 unique local), link-local (the
 * cloud metadata service included), multicast, unspecified, carrier-grade NAT, reserved
 * or documentation address, nor an IPv6 form that embeds one of those (IPv4-mapped,
 * IPv4-compatible, NAT64, 6to4). Otherwise any client allowed to subscribe could make the
 * server call the services behind its firewall. A deployer widens this with
 * {@code allowed-addresses} (CIDR ranges), and allows plain http with {@code allow-http}.
 * <p>
 * Every address a host name resolves to must be allowed: the same check runs when a
 * Subscription is stored and again, on a fresh resolution, when each notification is
 * sent, and the sender connects to the addresses this check returns.
 */
@Component
class EndpointAddresses {

	/** Resolves a host name, as {@link InetAddress#getAllByName} does. */
	@FunctionalInterface
	interface Resolver {

		InetAddress[] resolve(String host) throws UnknownHostException;

	}

	/**
	 * An address that is not allowed; a subclass so the HTTP client passes it on as is.
	 */
	static final class RefusedAddressException extends UnknownHostException {

		RefusedAddressException(String message) {
			super(message);
		}

	}

	/** The ranges refused unless allowed, with what each is. */
	private static final List<Range> REFUSED = List.of(Range.of("0.0.0.0/8", "unspecified"),
			Range.of("10.0.0.0/8", "private"), Range.of("100.64.0.0/10", "carrier-grade NAT"),
			Range.of("127.0.0.0/8", "loopback"), Range.of("169.254.0.0/16", "link-local"),
			Range.of("172.16.0.0/12", "private"), Range.of("192.0.0.0/24", "reserved"),
			Range.of("192.0.2.0/24", "documentation"), Range.of("192.168.0.0/16", "private"),
			Range.of("198.18.0.0/15", "reserved"), Range.of("198.51.100.0/24", "documentation"),
			Range.of("203.0.113.0/24", "documentation"), Range.of("224.0.0.0/4", "multicast"),
			Range.of("240.0.0.0/4", "reserved"), Range.of("::/128", "unspecified"), Range.of("::1/128", "loopback"),
			Range.of("fc00::/7", "private"), Range.of("fe80::/10", "link-local"), Range.of("fec0::/10", "private"),
			Range.of("ff00::/8", "multicast"), Range.of("2001:db8::/32", "documentation"),
			Range.of("100::/64", "reserved"));

	private final List<Range> allowed;

	private final boolean allowHttp;

	private final Resolver resolver;

	EndpointAddresses(List<String> allowedRanges, boolean allowHttp, Resolver resolver) {
		this.allowed = allowedRanges.stream().map((range) -> Range.of(range, "allowed")).toList();
		this.allowHttp = allowHttp;
		this.resolver = resolver;
	}

	@Autowired
	EndpointAddresses(NotificationProperties properties) {
		this(properties.allowedAddresses(), properties.allowHttp(), InetAddress::getAllByName);
	}

	/**
	 * Why the server may not deliver to this endpoint, or null when it may. Names the
	 * class of address, never the address itself.
	 */
	String refusal(URI endpoint) {
		String scheme = (endpoint.getScheme() != null) ? endpoint.getScheme().toLowerCase(Locale.ROOT) : "";
		if ("http".equals(scheme) && !this.allowHttp) {
			return "channel.endpoint must be an https URL (plain http is off: epaccs.notifications.allow-http)";
		}
		if (endpoint.getUserInfo() != null) {
			return "channel.endpoint must not carry a user name or password; use a channel.header";
		}
		try {
			resolve(endpoint.getHost());
			return null;
		}
		catch (RefusedAddressException ex) {
			return ex.getMessage();
		}
		catch (UnknownHostException ex) {
			return "channel.endpoint's host does not resolve";
		}
	}

	/**
	 * The addresses of the host, all of them allowed.
	 * @throws RefusedAddressException when any of them is not allowed
	 */
	InetAddress[] resolve(String host) throws UnknownHostException {
		if (host == null || host.isEmpty()) {
			throw new UnknownHostException("no host");
		}
		String bare = (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
		InetAddress[] addresses = this.resolver.resolve(bare);
		if (addresses == null || addresses.length == 0) {
			throw new UnknownHostException("no address");
		}
		for (InetAddress address : addresses) {
			String problem = problem(address);
			if (problem != null) {
				throw new RefusedAddressException("channel.endpoint's host resolves to " + problem
						+ " address, which this server does not deliver to"
						+ " (epaccs.notifications.allowed-addresses lists the ranges a deployer allows)");
			}
		}
		return Arrays.copyOf(addresses, addresses.length);
	}

	/** What is wrong with the address ("a loopback"), or null when it is allowed. */
	String problem(InetAddress address) {
		if (this.allowed.stream().anyMatch((range) -> range.contains(address))) {
			return null;
		}
		InetAddress embedded = embeddedIpv4(address);
		if (embedded != null) {
			String problem = problem(embedded);
			return (problem != null) ? problem.replaceFirst("^an? ", "an IPv6 form of a ") : null;
		}
		for (Range range : REFUSED) {
			if (range.contains(address)) {
				return ("aeiou".indexOf(range.kind().charAt(0)) >= 0 ? "an " : "a ") + range.kind();
			}
		}
		return null;
	}

	/**
	 * The IPv4 address inside an IPv4-mapped ({@code ::ffff:0:0/96}), IPv4-compatible
	 * ({@code ::/96}), NAT64 ({@code 64:ff9b::/96}) or 6to4 ({@code 2002::/16}) address.
	 */
	private static InetAddress embeddedIpv4(InetAddress address) {
		if (!(address instanceof Inet6Address)) {
			return null;
		}
		byte[] b = address.getAddress();
		try {
			if (b[0] == 0x20 && b[1] == 0x02) {
				return InetAddress.getByAddress(Arrays.copyOfRange(b, 2, 6));
			}
			boolean zeros80 = allZero(b, 0, 10);
			boolean mapped = zeros80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
			boolean compatible = zeros80 && b[10] == 0 && b[11] == 0 && !allZero(b, 12, 14);
			boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
					&& allZero(b, 4, 12);
			if (mapped || compatible || nat64) {
				return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
			}
			return null;
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex); // four bytes always make an address
		}
	}

	private static boolean allZero(byte[] bytes, int from, int to) {
		for (int i = from; i < to; i++) {
			if (bytes[i] != 0) {
				return false;
			}
		}
		return true;
	}

	/** A CIDR range such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
	record Range(byte[] network, int prefix, String kind) {

		static Range of(String cidr, String kind) {
			int slash = cidr.indexOf('/');
			String host = (slash < 0) ? cidr : cidr.substring(0, slash);
			if (!host.matches("[0-9a-fA-F:.]+")) {
				// a literal only: parsing must never look a name up
				throw new IllegalArgumentException("not an IP address range: " + cidr);
			}
			try {
				byte[] network = InetAddress.getByName(host).getAddress();
				int prefix = (slash < 0) ? network.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
				if (prefix < 0 || prefix > network.length * 8) {
					throw new IllegalArgumentException("not an IP address range: " + cidr);
				}
				return new Range(network, prefix, kind);
			}
			catch (UnknownHostException | NumberFormatException ex) {
				throw new IllegalArgumentException("not an IP address range: " + cidr, ex);
			}
		}

		boolean contains(InetAddress address) {
			byte[] bytes = address.getAddress();
			if (bytes.length != this.network.length) {
				return false;
			}
			for (int bit = 0; bit < this.prefix; bit++) {
				int mask = 0x80 >> (bit % 8);
				if ((bytes[bit / 8] & mask) != (this.network[bit / 8] & mask)) {
					return false;
				}
			}
			return true;
		}

	}

}
