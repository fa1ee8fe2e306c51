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

  // Whether users sign in at this server's own (embedded) issuer: only then does this server publish authorization
  // server metadata (RFC 8414) of its own. true or false once the server has said (200 or 404); null while it cannot
  // be asked (a proxy's 502, a restart), which is not remembered, so that a sign-out still goes to the issuer.
  let embeddedIssuer = null;
  async function issuerIsThisServer() {
    if (embeddedIssuer === null) {
      try {
        const response = await fetch('/.well-known/oauth-authorization-server', { cache: 'no-store' });
        if (response.ok || response.status === 404) {
          embeddedIssuer = response.ok;
        }
      } catch (ignored) {
        // asked again next time
      }
    }
    return embeddedIssuer;
  }

  async function endpoints() {
    const response = await fetch('/.well-known/smart-configuration', { cache: 'no-store' });
    if (!response.ok) {
      throw new Error('the server\'s SMART configuration could not be read (' + response.status + ')');
    }
    const config = await response.json();
    if (!config.authorization_endpoint || !config.token_endpoint) {
      throw new Error('this server does not offer the SMART app launch');
    }
    // this server's endpoints as paths, so that the page talks to the origin it was opened at whichever of the
    // server's addresses that is; another issuer's (Keycloak, or one in front of NHS CIS2) as given
    const here = await issuerIsThisServer();
    if (here === null) {
      throw new Error('the server could not say who signs users in; try again in a moment');
    }
    const place = (address) => (here ? new URL(address).pathname : new URL(address).href);
    return {
      authorize: place(config.authorization_endpoint),
      token: place(config.token_endpoint)
    };
  }

  // app: { clientId, redirectUri, pendingKey, audience }
  async function start(app, scope, launch) {
    const verifier = randomString(32);
    const state = randomString(16);
    const urls = await endpoints();
    window.sessionStorage.setItem(app.pendingKey,
      JSON.stringify({ state: state, verifier: verifier, launch: launch || null }));
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

  // The token response for the code in the query, with the launch id the sign-in started with (launch), or
  // { problem: { title, text } }.
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
    return Object.assign({}, body, { launch: pending.launch || null });
  }

  // Ends the clinician's sign-in at this server's issuer, whose session outlives the page's: without this, "Start
  // again" after an idle sign-out would open the plan again without the password. The issuer's sign-out takes a
  // form with its CSRF token, which a page of this origin reads from the sign-out page as a browser would show it.
  // Nothing to do where the issuer is elsewhere or the sign-in has already ended. True once it has ended here.
  async function endIssuerSignIn() {
    try {
      // another issuer's sign-in is not this page's to end; an unknown answer still tries this server's
      if ((await issuerIsThisServer()) === false) {
        return false;
      }
      const page = await fetch('/logout', { credentials: 'same-origin', cache: 'no-store' });
      if (!page.ok || page.redirected) {
        return false;
      }
      const html = new DOMParser().parseFromString(await page.text(), 'text/html');
      const form = html.querySelector('form[action="/logout"]');
      const token = form && form.querySelector('input[name="_csrf"]');
      if (!token) {
        return false;
      }
      const ended = await fetch('/logout', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token.value }),
        redirect: 'manual',
        cache: 'no-store'
      });
      // the sign-out answers with a redirect to the sign-in page, which a manual redirect shows as opaque
      return ended.type === 'opaqueredirect' || ended.ok;
    } catch (ignored) {
      // the page is already cleared; an issuer out of reach keeps its own time-out
      return false;
    }
  }

  return { start: start, finish: finish, endIssuerSignIn: endIssuerSignIn, issuerIsThisServer: issuerIsThisServer };
}());
