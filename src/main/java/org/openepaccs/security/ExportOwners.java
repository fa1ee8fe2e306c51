package org.openepaccs.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Who a bulk export belongs to: a digest of the user, client, organisation and role that
 * started it. The export job carries it, and so does each output file (as
 * {@code Binary.securityContext.identifier}), so that its poll URL and files serve only
 * that caller, as a search's paging links do ({@link SearchOwners}). Scopes are left out:
 * a client that fetches a new token with the same grant keeps its export.
 */
public final class ExportOwners {

	/** The identifier system naming an export's owner on its output files. */
	public static final String SYSTEM = "https://fhir.openepaccs.org/Id/bulk-export-owner";

	private ExportOwners() {
	}

	public static String ownerOf(Caller caller) {
		String who = String.join("|", String.valueOf(caller.user()), String.valueOf(caller.clientId()),
				String.valueOf(caller.organisation()), String.valueOf(caller.role()));
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(who.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every Java runtime", ex);
		}
	}

}
