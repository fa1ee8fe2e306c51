package org.openepaccs.security;

import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Date;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Access tokens minted in a test with the running server's embedded issuer key, for
 * claims the demo clients cannot ask for (a patient in context, a bad expiry, another
 * audience).
 */
final class TestTokens {

	private final EmbeddedIssuerConfig.EmbeddedIssuerKeys keys;

	private final AccessProperties properties;

	private final String issuer;

	/**
	 * @param port the test server's port: without a public base URL, the embedded issuer
	 * is {@code http://localhost:<port>}
	 */
	TestTokens(EmbeddedIssuerConfig.EmbeddedIssuerKeys keys, AccessProperties properties, int port) {
		this.keys = keys;
		this.properties = properties;
		this.issuer = "http://localhost:" + port;
	}

	/** The claims of a valid system-integration token, to change one at a time. */
	JWTClaimsSet.Builder claims() {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(this.issuer)
			.audience(this.properties.audience())
			.subject("test-client")
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(300)))
			.claim("scope", "system/*.cruds")
			.claim("epaccs_role", "system-integration")
			.claim("epaccs_ods", "Y99901");
	}

	/** Signed with the issuer's own key. */
	String signed(JWTClaimsSet claims) throws JOSEException {
		return signedBy(this.keys.privateKey(), claims);
	}

	String signedBy(RSAPrivateKey key, JWTClaimsSet claims) throws JOSEException {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(this.keys.keyId()).build(),
				claims);
		jwt.sign(new RSASSASigner(key));
		return jwt.serialize();
	}

}
