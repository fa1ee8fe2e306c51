// Sign-in for this server's own browser apps (the out-of-hours viewer, the ICB dashboard): the authorization code
// flow with S256 PKCE against this server's issuer, found through its SMART configuration. Each app serves this
// one file under its own path. The PKCE verifier and state survive the trip to the sign-in page in session storage
// (they are not tokens) and are removed on return; the access token is returned to the app, which keeps it in
// memory only.
'use strict';

window.EpaccsSignIn = (function () {
  function base64Url(bytes) {
    let text = '';
    bytes.forEach((b) => { text += String.fromCharCode(b); });
    return window.btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function randomString(bytes) {
    const values = new Uint8Array(bytes);
    window.crypto.getRandomValues(values);
    return base64Url(values);
  }

  async function challengeOf(verifier) {
    const digest = await window.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    return base64Url(new Uint8Array(digest));
  }

  // The issuer's endpoints as paths on this server: an app talks to its own server only, whichever of its
  // addresses it was opened at.
  async function endpoints() {
    const response = await fetch('/.well-known/smart-configuration', { cache: 'no-store' });
    if (!response.ok) {
      throw new Error('the server\'s SMART configuration could not be read (' + response.status + ')');
    }
    const config = await response.json();
    if (!config.authorization_endpoint || !config.token_endpoint) {
      throw new Error('this server does not offer the SMART app launch');
    }
    return {
      authorize: new URL(config.authorization_endpoint).pathname,
      token: new URL(config.token_endpoint).pathname
    };
  }

  // app: { clientId, redirectUri, pendingKey, audience }
  async function start(app, scope, launch) {
    const verifier = randomString(32);
    const state = randomString(16);
    const urls = await endpoints();
    window.sessionStorage.setItem(app.pendingKey, JSON.stringify({ state: state, verifier: verifier }));
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: app.redirectUri,
      scope: scope,
      state: state,
      code_challenge: await challengeOf(verifier),
      code_challenge_method: 'S256',
      aud: app.audience
    });
    if (launch) {
      query.set('launch', launch);
    }
    window.location.assign(urls.authorize + '?' + query.toString());
  }

  // The token response for the code in the query, or { problem: { title, text } }.
  async function finish(app, query) {
    const pending = JSON.parse(window.sessionStorage.getItem(app.pendingKey) || 'null');
    window.sessionStorage.removeItem(app.pendingKey);
    if (!pending || pending.state !== query.get('state')) {
      return { problem: { title: 'Sign-in could not be checked', text: 'Start again and sign in.' } };
    }
    const urls = await endpoints();
    const response = await fetch(urls.token, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: query.get('code'),
        redirect_uri: app.redirectUri,
        client_id: app.clientId,
        code_verifier: pending.verifier
      }),
      cache: 'no-store'
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      return { problem: { title: 'Sign-in did not complete',
        text: body.error_description || body.error || ('error ' + response.status) } };
    }
    return body;
  }

  return { start: start, finish: finish };
}());
