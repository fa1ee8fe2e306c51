package org.openepaccs.security;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Access tokens, under {@code epaccs.security}.
 *
 * @param enabled {@code false} turns access control, consent and audit off entirely: only
 * for the benchmark's "plain HAPI" baseline, never with real data
 * @param audience the {@code aud} every access token must carry: this server's identity
 * at the issuer
 * @param issuerUri the external OpenID Connect issuer trusted in production (e.g. NHS
 * CIS2 or a Keycloak realm); its signing keys come from its discovery document
 * @param jwkSetUri the issuer's JWKS address, when it publishes no discovery document
 * @param tokenEndpoint the external issuer's token endpoint, advertised in SMART
 * discovery ({@code /.well-known/smart-configuration})
 * @param authorizationEndpoint the external issuer's authorization endpoint, where users
 * sign in to a launched app (the viewer), advertised in SMART discovery
 * @param clockSkew how far {@code exp} and {@code nbf} may be off
 * @param claims where in the token the caller's role, organisation and user are
 * @param embeddedIssuer the dev/demo issuer built into the server
 * @param launchLifetime how long a launch id stays redeemable
 */
@Validated
@ConfigurationProperties("epaccs.security")
public record AccessProperties(@DefaultValue("true") boolean enabled,
		@DefaultValue("epaccs-fhir") @NotBlank String audience, URI issuerUri, URI jwkSetUri, URI tokenEndpoint,
		List<String> tokenEndpointAuthMethods, URI authorizationEndpoint,
		@DefaultValue("60s") @NotNull Duration clockSkew, @DefaultValue @Valid @NotNull Claims claims,
		@DefaultValue @Valid @NotNull EmbeddedIssuer embeddedIssuer,
		@DefaultValue("5m") @NotNull Duration launchLifetime) {

	public AccessProperties {
		tokenEndpointAuthMethods = (tokenEndpointAuthMethods != null) ? List.copyOf(tokenEndpointAuthMethods)
				: List.of();
	}

	@AssertTrue(message = "set epaccs.security.issuer-uri to the OpenID Connect issuer this server trusts, "
			+ "or run the demo with its built-in dev-only issuer (--spring.profiles.active=demo); not both")
	public boolean isExactlyOneIssuer() {
		return this.embeddedIssuer.enabled() != (this.issuerUri != null);
	}

	@AssertTrue(message = "epaccs.security.clock-skew must be between 0 and 5 minutes")
	public boolean isClockSkewSmall() {
		return !this.clockSkew.isNegative() && this.clockSkew.compareTo(Duration.ofMinutes(5)) <= 0;
	}

	/**
	 * The claims mapping. NHS CIS2, for example: {@code role = selected_roleid} with
	 * {@code role-values} mapping the national RBAC codes of your organisation's roles to
	 * ours, {@code organisation = nhsid_user_orgs} and {@code user = sub}.
	 *
	 * @param role claim naming the caller's role
	 * @param roleValues claim value → our role ({@link Role#claimValue()}), for issuers
	 * whose role values are not ours; values not listed are read as ours
	 * @param organisation claim with the caller's organisation (ODS code)
	 * @param user claim with the user's id (for a system client, its client id)
	 * @param patient claim with the patient id a {@code patient/} scope is bound to
	 * (SMART launch context)
	 * @param purposeOfUse claim with the purpose of use, e.g. emergency treatment when
	 * the glass is broken
	 * @param roleEntries claim holding a list of role objects, as NHS CIS2's
	 * {@code nhsid_nrbac_roles}; when set, the role and organisation come from the entry
	 * the user selected (see {@code selectedRole}): each {@code :}-separated part of its
	 * {@code role_code} is tried against {@code roleValues}, and its {@code org_code} is
	 * the organisation. Empty: roles are read from {@code role}.
	 * @param selectedRole claim naming the selected entry by its {@code person_roleid}
	 * (CIS2's {@code selected_roleid}); without it in the token, the first entry with a
	 * known role counts
	 */
	public record Claims(@DefaultValue("epaccs_role") @NotBlank String role, Map<String, String> roleValues,
			@DefaultValue("epaccs_ods") @NotBlank String organisation, @DefaultValue("sub") @NotBlank String user,
			@DefaultValue("patient") @NotBlank String patient,
			@DefaultValue("purpose_of_use") @NotBlank String purposeOfUse, @DefaultValue("") String roleEntries,
			@DefaultValue("selected_roleid") @NotBlank String selectedRole) {

		public Claims {
			roleValues = (roleValues != null) ? Map.copyOf(roleValues) : Map.of();
		}

	}

	/**
	 * The embedded issuer (Spring Authorization Server): {@code client_credentials}
	 * tokens for the demo clients, and the SMART App Launch ({@code authorization_code}
	 * with PKCE) for the demo users, signed by a key pair generated at every start-up.
	 * Development and demonstration only.
	 *
	 * <p>
	 * Its issuer is not configured: it is the public base URL when there is one
	 * ({@code epaccs.fhir.server-address} without {@code /fhir}), otherwise
	 * {@code http://localhost:<port>} ({@link IssuerAddress}).
	 *
	 * @param enabled on only in the {@code demo} profile, whatever the database
	 * @param tokenLifetime how long an access token lives
	 * @param clients the demo clients by client id
	 * @param allowNetwork {@code true} lets the demo issuer run on a server that listens
	 * on, or publishes as its base URL, an address other than loopback (a container
	 * behind a loopback-only port); anyone who reaches it can get a token with the
	 * dev-only secrets
	 * @param users the demo users who sign in to launch an app, by user name
	 */
	public record EmbeddedIssuer(@DefaultValue("false") boolean enabled,
			@DefaultValue("15m") @NotNull Duration tokenLifetime, Map<String, @Valid DemoClient> clients,
			@DefaultValue("false") boolean allowNetwork, Map<String, @Valid DemoUser> users) {

		@org.springframework.boot.context.properties.bind.ConstructorBinding
		public EmbeddedIssuer {
			clients = (clients != null) ? Map.copyOf(clients) : Map.of();
			users = (users != null) ? Map.copyOf(users) : Map.of();
		}

		/** Without demo users: client credentials only. */
		public EmbeddedIssuer(boolean enabled, Duration tokenLifetime, Map<String, DemoClient> clients,
				boolean allowNetwork) {
			this(enabled, tokenLifetime, clients, allowNetwork, Map.of());
		}

	}

	/**
	 * A demo client of the embedded issuer. A system client authenticates either with a
	 * secret or, as SMART Backend Services do, with a client assertion signed by its own
	 * private key ({@code private_key_jwt}, RS384), whose public keys the issuer reads
	 * from {@code jwkSetUrl}, and its tokens carry its own role and organisation. An app
	 * (one with redirect URIs) gets tokens for the user who signs in, with the user's
	 * role and organisation: a public app (a browser app, no secret) with S256 PKCE and
	 * no refresh token, a confidential one with its secret, PKCE and refresh tokens.
	 *
	 * @param secret its client secret (dev-only values in the shipped configuration,
	 * overridable by environment), or none for a {@code private_key_jwt} or public client
	 * @param jwkSetUrl where its public keys are (a JWKS), for {@code private_key_jwt}
	 * @param role the role its own tokens carry ({@code client_credentials}); none for an
	 * app that only acts for users
	 * @param organisation the ODS code its own tokens carry; none for an app that only
	 * acts for users
	 * @param scopes the scopes it may ask for (all of them if it asks for none)
	 * @param clientAssignedIds whether it may create people's records under ids of its
	 * own choosing ({@code PUT} to an id not stored), as the synthetic population loader
	 * does to be restartable; such a client learns whether an id is taken, so only a
	 * loader that is the custodian of every refusal it loads should have it. Only the
	 * embedded (dev) issuer's clients can: with an external issuer, nobody may.
	 * @param redirectUris where an app may be sent back to after sign-in; one starting
	 * with {@code /} is on the issuer's own address (the server's own viewer), and one on
	 * {@code 127.0.0.1} matches any port (RFC 8252)
	 * @param publicClient an app that cannot keep a secret (runs in the browser)
	 */
	public record DemoClient(String secret, URI jwkSetUrl, Role role, String organisation, @NotNull List<String> scopes,
			@DefaultValue("false") boolean clientAssignedIds, List<String> redirectUris,
			@DefaultValue("false") boolean publicClient) {

		public DemoClient {
			redirectUris = (redirectUris != null) ? List.copyOf(redirectUris) : List.of();
		}

		@AssertTrue(message = "a demo client has one way to authenticate: a secret, a jwk-set-url (for "
				+ "private_key_jwt), or none as a public-client app with redirect-uris")
		public boolean isOneWayToAuthenticate() {
			int ways = ((this.secret != null && !this.secret.isBlank()) ? 1 : 0) + ((this.jwkSetUrl != null) ? 1 : 0)
					+ (this.publicClient ? 1 : 0);
			return ways == 1 && (!this.publicClient || !this.redirectUris.isEmpty());
		}

		@AssertTrue(message = "a demo client that gets tokens of its own (no redirect-uris) names its role and "
				+ "organisation")
		public boolean isSystemClientWithRole() {
			return isApp() || (this.role != null && this.organisation != null && !this.organisation.isBlank());
		}

		/** Whether users sign in to it (authorization code). */
		public boolean isApp() {
			return !this.redirectUris.isEmpty();
		}

		/** Whether it gets tokens of its own (client credentials). */
		public boolean isSystemClient() {
			return !this.publicClient && this.role != null && this.organisation != null;
		}

	}

	/**
	 * A demo user of the embedded issuer, who signs in to an app (SMART App Launch).
	 *
	 * @param password dev-only, in the shipped configuration (overridable by environment)
	 * @param name the name the sign-in page shows
	 * @param role the role the user's tokens carry
	 * @param organisation the ODS code the user's tokens carry
	 */
	public record DemoUser(@NotBlank String password, @NotBlank String name, @NotNull Role role,
			@NotBlank String organisation) {

		@Override
		public String toString() {
			return "DemoUser[" + this.name + ", " + this.role + ", " + this.organisation + "]"; // never
																								// the
																								// password
		}

	}

}
