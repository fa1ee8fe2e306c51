// Real FHIR client libraries against a running server, as a new user would try them. Run by NodeClientLibrariesIT
// with EPACCS_BASE (the server root, e.g. http://localhost:8080) and EPACCS_TEST_NHS (an unused test NHS number).
//
// - fhirclient (SMART's JavaScript client): SMART discovery and an EHR launch with PKCE, signed in as a demo user,
//   then the plan summary of the patient in context.
// - fhir-kit-client: a transaction, a search followed through its next links to the end, and our operations.
//   fhir-kit-client has no client_credentials login of its own: the token comes from a plain token request.
// - @medplum/core: its own client_credentials login (which checks the token's client_id claim), a transaction,
//   a search paged to the end, and the plan summary.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const crypto = require('node:crypto');
const smart = require('fhirclient');

const BASE = (process.env.EPACCS_BASE || '').replace(/\/+$/, '');
const FHIR = BASE + '/fhir';
const NHS_NUMBER = process.env.EPACCS_TEST_NHS;
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const RUN = 'https://epaccs.test/Id/node-client-run';
const RUN_ID = crypto.randomUUID();

assert.ok(BASE, 'EPACCS_BASE must name the running server');
assert.ok(/^\d{10}$/.test(NHS_NUMBER || ''), 'EPACCS_TEST_NHS must be an unused NHS number');

async function clientCredentials(clientId) {
  const response = await fetch(BASE + '/oauth2/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId,
      client_secret: clientId + '-dev-secret' })
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).access_token;
}

let FhirKitClient;
let gp;
let patientId;

before(async () => {
  // fhir-kit-client 2 is an ES module only
  FhirKitClient = (await import('fhir-kit-client')).Client;
  gp = new FhirKitClient({ baseUrl: FHIR, bearerToken: await clientCredentials('gp-system') });
});

test('fhir-kit-client stores five people in one transaction', async () => {
  const entries = [0, 1, 2, 3, 4].map((n) => ({
    fullUrl: 'urn:uuid:' + crypto.randomUUID(),
    resource: {
      resourceType: 'Patient',
      identifier: [{ system: RUN, value: RUN_ID }].concat(n === 0 ? [{ system: NHS, value: NHS_NUMBER }] : []),
      name: [{ family: 'Nodeclient', given: ['Person' + n] }],
      birthDate: '1940-01-0' + (n + 1)
    },
    request: { method: 'POST', url: 'Patient' }
  }));
  const response = await gp.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry: entries } });

  assert.equal(response.type, 'transaction-response');
  assert.equal(response.entry.length, 5);
  response.entry.forEach((entry) => assert.match(entry.response.status, /^201/));
  patientId = response.entry[0].response.location.split('/')[1];
});

test('fhir-kit-client follows next links from the first page to the last', async () => {
  let page = await gp.search({ resourceType: 'Patient', searchParams: { identifier: RUN + '|' + RUN_ID, _count: 2 } });
  const seen = [];
  let pages = 0;
  while (page) {
    pages += 1;
    (page.entry || []).forEach((entry) => seen.push(entry.resource.id));
    page = await gp.nextPage({ bundle: page });
  }

  assert.equal(pages, 3);
  assert.equal(new Set(seen).size, 5);
});

test('fhir-kit-client runs our operations: the plan summary by NHS number, and $validate', async () => {
  const ooh = new FhirKitClient({ baseUrl: FHIR, bearerToken: await clientCredentials('ooh-clinician') });
  const summary = await ooh.operation({ resourceType: 'Patient', name: '$epaccs-summary', method: 'GET',
    input: { identifier: NHS + '|' + NHS_NUMBER } });

  assert.equal(summary.resourceType, 'Bundle');
  assert.equal(summary.type, 'document');
  assert.equal(summary.entry[0].resource.resourceType, 'Composition');
  assert.ok(summary.entry.some((entry) => entry.resource.resourceType === 'Patient'
    && entry.resource.id === patientId));

  const outcome = await gp.operation({ resourceType: 'Patient', name: '$validate', method: 'POST',
    input: { resourceType: 'Parameters', parameter: [{ name: 'resource',
      resource: { resourceType: 'Patient', name: [{ family: 'Valid' }] } }] } });
  assert.equal(outcome.resourceType, 'OperationOutcome');
});

test('fhir-kit-client reads the SMART endpoints from the CapabilityStatement', async () => {
  const uris = await new FhirKitClient({ baseUrl: FHIR }).smartAuthMetadata();

  assert.equal(uris.authorizeUrl.toString(), BASE + '/oauth2/authorize');
  assert.equal(uris.tokenUrl.toString(), BASE + '/oauth2/token');
});

// ---- @medplum/core: its own login -------------------------------------------------------------------------------

test('@medplum/core logs in with client credentials, stores a transaction, pages to the end and reads a summary',
  async () => {
    const { MedplumClient } = require('@medplum/core');
    const medplum = new MedplumClient({ baseUrl: BASE + '/', fhirUrlPath: 'fhir', tokenUrl: BASE + '/oauth2/token' });
    // the login refuses a token whose client_id claim names another client
    await medplum.startClientLogin('gp-system', 'gp-system-dev-secret');
    assert.ok(medplum.getAccessToken(), 'signed in');

    const run = crypto.randomUUID();
    const stored = await medplum.executeBatch({ resourceType: 'Bundle', type: 'transaction',
      entry: [0, 1, 2].map((n) => ({ fullUrl: 'urn:uuid:' + crypto.randomUUID(),
        resource: { resourceType: 'Patient', identifier: [{ system: RUN, value: run }],
          name: [{ family: 'Medplum', given: ['Person' + n] }], birthDate: '1941-02-0' + (n + 1) },
        request: { method: 'POST', url: 'Patient' } })) });
    assert.equal(stored.type, 'transaction-response');
    stored.entry.forEach((entry) => assert.match(entry.response.status, /^201/));

    const seen = [];
    let pages = 0;
    for await (const page of medplum.searchResourcePages('Patient', { identifier: RUN + '|' + run, _count: 1 })) {
      pages += 1;
      page.forEach((patient) => seen.push(patient.id));
    }
    assert.equal(pages, 3);
    assert.deepEqual([...new Set(seen)].sort(),
      stored.entry.map((entry) => entry.response.location.split('/')[1]).sort());

    const first = stored.entry[0].response.location.split('/')[1];
    const summary = await medplum.get(medplum.fhirUrl('Patient', first, '$epaccs-summary'));
    assert.equal(summary.type, 'document');
    assert.ok(summary.entry.some((entry) => entry.resource.resourceType === 'Patient' && entry.resource.id === first));
  });

// ---- fhirclient: an EHR launch --------------------------------------------------------------------------------

let app;
let appBase;
let launched;

before(async () => {
  const store = new Map();
  const storage = {
    get: async (key) => store.get(key),
    set: async (key, value) => { store.set(key, value); return value; },
    unset: async (key) => store.delete(key)
  };
  let resolveLaunched;
  launched = new Promise((resolve, reject) => { resolveLaunched = { resolve, reject }; });
  app = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    if (path === '/launch') {
      smart(req, res, storage).authorize({ clientId: 'demo-public-app', scope: 'launch user/*.rs',
        redirectUri: '/demo-app/callback', pkceMode: 'required' })
        .catch((error) => { resolveLaunched.reject(error); res.end(); });
    } else if (path === '/demo-app/callback') {
      smart(req, res, storage).ready()
        .then((client) => { resolveLaunched.resolve(client); res.end('launched'); })
        .catch((error) => { resolveLaunched.reject(error); res.end(); });
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
  appBase = 'http://127.0.0.1:' + app.address().port;
});

after(() => app && app.close());

/** A browser: one cookie (the sign-in session), redirects followed by hand. */
class Browser {
  constructor() { this.cookies = new Map(); }

  async go(url, init = {}) {
    const headers = Object.assign({}, init.headers || {});
    const host = new URL(url).host;
    if (this.cookies.has(host)) {
      headers.Cookie = this.cookies.get(host);
    }
    const response = await fetch(url, Object.assign({}, init, { headers, redirect: 'manual' }));
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('JSESSIONID='));
    if (cookie) {
      this.cookies.set(host, cookie.split(';')[0]);
    }
    return response;
  }

  /** Follows redirects until a page; returns [final url, response]. */
  async follow(url, init) {
    let current = url;
    let response = await this.go(current, init);
    for (let i = 0; i < 10 && response.status >= 300 && response.status < 400; i++) {
      current = new URL(response.headers.get('location'), current).href;
      response = await this.go(current);
    }
    return [current, response];
  }
}

function hiddenFields(html) {
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.append(match[1], match[2].replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  }
  return fields;
}

test('fhirclient discovers the server, is launched by an EHR with PKCE, and gets the patient in context', async () => {
  const ehrToken = await clientCredentials('ehr-launcher');
  const launchResponse = await fetch(BASE + '/oauth2/launch', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + ehrToken, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ patient: patientId })
  });
  assert.equal(launchResponse.status, 201);
  const launch = (await launchResponse.json()).launch;

  const browser = new Browser();
  const [loginUrl, loginPage] = await browser.follow(appBase + '/launch?iss=' + encodeURIComponent(FHIR)
    + '&launch=' + encodeURIComponent(launch));
  assert.equal(new URL(loginUrl).pathname, '/login');
  const login = hiddenFields(await loginPage.text());
  login.set('username', 'ooh.doctor');
  login.set('password', 'ooh-doctor-dev-password');
  let [url, page] = await browser.follow(BASE + '/login', { method: 'POST', body: login,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  if (new URL(url).pathname === '/oauth2/consent') {
    const html = await page.text();
    const allow = hiddenFields(html.slice(0, html.indexOf('id="allow"')));
    [url, page] = await browser.follow(BASE + '/oauth2/authorize', { method: 'POST', body: allow,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  }
  assert.equal(new URL(url).pathname, '/demo-app/callback', 'back at the app: ' + url);
  assert.equal(await page.text(), 'launched');

  const client = await launched;
  assert.equal(client.getPatientId(), patientId);
  assert.equal(client.getState('serverUrl'), FHIR);
  assert.equal(client.getState('tokenResponse.patient'), patientId);
  // PKCE was used: the server refuses a public app's authorization request without an S256 challenge
  const patient = await client.patient.read();
  assert.equal(patient.id, patientId);
  const summary = await client.request('Patient/' + patientId + '/$epaccs-summary');
  assert.equal(summary.type, 'document');
});
