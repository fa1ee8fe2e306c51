/**
 * Who may see and change what: OAuth2 access tokens (an external OpenID Connect issuer,
 * or the embedded dev/demo issuer), SMART scopes and care roles, enforced on every FHIR
 * interaction.
 */
package org.openepaccs.security;
