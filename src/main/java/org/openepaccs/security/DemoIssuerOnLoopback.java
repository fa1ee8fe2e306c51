package org.openepaccs.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Keeps the demo issuer on this machine: its client secrets are in the repository, so a
 * server that listens on a network address, or publishes an issuer URL naming one, would
 * hand out tokens to anyone who can reach it. Its issuer is the published base URL or
 * {@code http://localhost:<port>} ({@link IssuerAddress}), so checking the base URL
 * checks the issuer. Start-up stops with the reason instead, unless the deployer says
 * otherwise ({@code epaccs.security.embedded-issuer.allow-network}).
 */
final class DemoIssuerOnLoopback {

	private DemoIssuerOnLoopback() {
	}

	/**
	 * @param serverAddress {@code server.address}: empty means every interface
	 * @param publicBaseUrl {@code epaccs.fhir.server-address}, the base URL the server
	 * publishes (behind a reverse proxy, say): empty when it publishes none
	 */
	static void check(AccessProperties.EmbeddedIssuer issuer, String serverAddress, String publicBaseUrl) {
		if (issuer.allowNetwork()) {
			return;
		}
		if (serverAddress == null || serverAddress.isBlank() || !isLoopback(serverAddress)) {
			throw refusal("it listens on " + ((serverAddress == null || serverAddress.isBlank())
					? "every network interface (server.address is not set)" : "server.address " + serverAddress));
		}
		if (publicBaseUrl != null && !publicBaseUrl.isBlank()) {
			String published = hostOf(publicBaseUrl);
			if (published == null || !isLoopback(published)) {
				throw refusal("it publishes the base URL " + publicBaseUrl + ", which names a host other than this "
						+ "machine (epaccs.fhir.server-address)");
			}
		}
	}

	private static String hostOf(String url) {
		try {
			return java.net.URI.create(url.trim()).getHost();
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	static boolean isLoopback(String host) {
		String bare = (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
		try {
			for (InetAddress address : InetAddress.getAllByName(bare)) {
				if (!address.isLoopbackAddress()) {
					return false;
				}
			}
			return true;
		}
		catch (UnknownHostException | SecurityException ex) {
			return false;
		}
	}

	private static IllegalStateException refusal(String why) {
		return new IllegalStateException("The demo token issuer (dev-only client secrets) is on, but " + why
				+ ": anyone who reaches this server could get a token. Run the demo on this machine only "
				+ "(server.address=127.0.0.1), use a real issuer "
				+ "(epaccs.security.issuer-uri) without the demo profile, or, for a demo behind a port published on "
				+ "loopback only, set epaccs.security.embedded-issuer.allow-network=true");
	}

}
