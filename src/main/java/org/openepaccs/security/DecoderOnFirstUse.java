package org.openepaccs.security;

import java.util.function.Supplier;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * A token decoder made when the first token arrives, not at start-up: building one for an
 * issuer reads the issuer's discovery document, and the server must start while the
 * issuer is briefly unreachable (both restarted together, a network blip). Until the
 * issuer answers, each token is refused (401) saying so, and the next one tries again.
 */
final class DecoderOnFirstUse implements JwtDecoder {

	private final Supplier<JwtDecoder> build;

	private volatile JwtDecoder decoder;

	DecoderOnFirstUse(Supplier<JwtDecoder> build) {
		this.build = build;
	}

	@Override
	public Jwt decode(String token) {
		return decoder().decode(token);
	}

	private JwtDecoder decoder() {
		JwtDecoder built = this.decoder;
		if (built != null) {
			return built;
		}
		synchronized (this) {
			if (this.decoder == null) {
				try {
					this.decoder = this.build.get();
				}
				catch (RuntimeException ex) {
					throw new BadJwtException("The access token cannot be checked now: the token issuer's "
							+ "configuration could not be read; try again shortly", ex);
				}
			}
			return this.decoder;
		}
	}

}
