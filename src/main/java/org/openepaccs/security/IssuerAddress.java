package org.openepaccs.security;

import java.net.URI;

import org.openepaccs.fhir.FhirServerProperties;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The issuer this server trusts and where its token endpoint and keys are, the same in
 * SMART discovery, in the CapabilityStatement, in the tokens the embedded issuer signs
 * and in the check of every token's {@code iss}.
 * <p>
 * The embedded issuer has one issuer per running server, whatever host or port a request
 * came in on, so that a token obtained through one address (the server's port,
 * {@code localhost}) is accepted through every other (the management port,
 * {@code 127.0.0.1}): the public base URL when one is configured
 * ({@code epaccs.fhir.server-address} without its {@code /fhir}), otherwise
 * {@code http://localhost:<the port the server listens on>}, known once it listens. With
 * an external issuer, everything is as configured.
 */
@Component
class IssuerAddress {

	private final AccessProperties properties;

	private final Environment environment;

	private final String publicRoot;

	private volatile String embeddedIssuer;

	IssuerAddress(AccessProperties properties, FhirServerProperties fhir, Environment environment) {
		this.properties = properties;
		this.environment = environment;
		this.publicRoot = (fhir.serverAddress() != null) ? rootOf(fhir.serverAddress()) : null;
		if (properties.embeddedIssuer().enabled() && fhir.serverAddress() != null && this.publicRoot == null) {
			throw new IllegalStateException("epaccs.fhir.server-address " + fhir.serverAddress() + " does not end "
					+ "in /fhir: the embedded issuer's endpoints (/oauth2/token, /.well-known/smart-configuration) "
					+ "are published beside /fhir, so the server cannot tell their public address");
		}
	}

	/** The {@code iss} of every access token this server accepts. */
	String issuer() {
		if (!this.properties.embeddedIssuer().enabled()) {
			return this.properties.issuerUri().toString();
		}
		String issuer = this.embeddedIssuer;
		if (issuer == null) {
			issuer = (this.publicRoot != null) ? this.publicRoot : "http://localhost:" + listeningPort()
					+ this.environment.getProperty("server.servlet.context-path", "").replaceAll("/+$", "");
			this.embeddedIssuer = issuer;
		}
		return issuer;
	}

	/**
	 * The token endpoint, or {@code null} when an external issuer's is not configured.
	 */
	String tokenEndpoint() {
		if (!this.properties.embeddedIssuer().enabled()) {
			return (this.properties.tokenEndpoint() != null) ? this.properties.tokenEndpoint().toString() : null;
		}
		return issuer() + "/oauth2/token";
	}

	/**
	 * Where a user signs in to an app (SMART App Launch), or {@code null} when an
	 * external issuer's is not configured.
	 */
	String authorizationEndpoint() {
		if (!this.properties.embeddedIssuer().enabled()) {
			return (this.properties.authorizationEndpoint() != null)
					? this.properties.authorizationEndpoint().toString() : null;
		}
		return issuer() + "/oauth2/authorize";
	}

	/**
	 * The issuer's signing keys, or {@code null} when an external issuer's are not
	 * configured.
	 */
	String jwksUri() {
		if (!this.properties.embeddedIssuer().enabled()) {
			return (this.properties.jwkSetUri() != null) ? this.properties.jwkSetUri().toString() : null;
		}
		return issuer() + "/oauth2/jwks";
	}

	private int listeningPort() {
		Integer port = this.environment.getProperty("local.server.port", Integer.class);
		if (port == null) {
			throw new IllegalStateException("The embedded issuer's address is asked for before the server listens");
		}
		return port;
	}

	/**
	 * {@code https://host/base/fhir/} → {@code https://host/base}; {@code null} if it
	 * does not end in /fhir.
	 */
	static String rootOf(URI fhirBase) {
		String base = fhirBase.toString().replaceAll("/+$", "");
		return base.endsWith("/fhir") ? base.substring(0, base.length() - "/fhir".length()) : null;
	}

}
