// The out-of-hours viewer: a SMART app served by this server. It is launched by a clinical system (EHR launch:
// ?iss=<this server's FHIR base>&launch=<launch id>) or opened on its own (standalone launch: the issuer asks for
// the NHS number), signs the clinician in with the authorization code flow and S256 PKCE, and shows the plan
// summary ($epaccs-summary) of the patient in context.
// Sign-in itself is pkce-sign-in.js, shared with the dashboard.
// The access token is kept in this script's memory only, never in storage; the address bar keeps no launch id,
// code or patient (each is removed as soon as it is read); after a spell without activity the clinician is signed
// out and the plan is taken off the screen.
'use strict';

(function () {
  const CLIENT_ID = 'epaccs-viewer';
  const FHIR_BASE = window.location.origin + '/fhir';
  const REDIRECT_URI = window.location.origin + '/viewer/';
  const PENDING = 'epaccs-viewer-pending';
  const IDLE_MINUTES = Number(document.body.dataset.idleMinutes || '10');

  // What a clinician at 3 a.m. needs first, in this order (section titles of $epaccs-summary); the rest follow in
  // the summary's own order.
  const FIRST = [
    'CPR decision',
    'Preferred places',
    'Anticipatory medicines',
    'Palliative care register',
    'Care team and 24/7',
    'Advance decision to refuse treatment'
  ];

  let session = null; // { accessToken, patient, expiresAt }
  let idleTimer = null;

  const $ = (id) => document.getElementById(id);

  function show(id) {
    ['start', 'problem', 'restricted', 'plan'].forEach((part) => {
      $(part).hidden = part !== id;
    });
    $('status').hidden = true;
  }

  function problem(title, text) {
    $('problem-title').textContent = title;
    $('problem-text').textContent = text;
    show('problem');
  }

  const APP = {
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    pendingKey: PENDING,
    audience: FHIR_BASE
  };

  function signIn(scope, launch) {
    return window.EpaccsSignIn.start(APP, scope, launch);
  }

  async function finishSignIn(query) {
    const body = await window.EpaccsSignIn.finish(APP, query);
    if (body.problem) {
      problem(body.problem.title, 'Start again from your clinical system, or with "Sign in". ('
        + body.problem.text + ')');
      return;
    }
    let patient = body.patient;
    if (!patient && body.launch) {
      // another issuer than this server's puts no patient in its token response: the launch is redeemed here
      const context = await patientOfLaunch(body.access_token, body.launch);
      if (context.problem) {
        problem('The launch could not be used', 'Start again from your clinical system. (' + context.problem + ')');
        return;
      }
      patient = context.patient;
    }
    if (!patient) {
      problem('No patient was chosen', 'Start again from your clinical system, or with "Sign in".');
      return;
    }
    session = {
      accessToken: body.access_token,
      patient: patient,
      expiresAt: Date.now() + (Number(body.expires_in || 0) * 1000)
    };
    watchActivity();
    await openPlan(null);
  }

  // { patient } of the launch id, or { problem }.
  async function patientOfLaunch(accessToken, launch) {
    const response = await fetch('/oauth2/launch/context', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json',
        Authorization: 'Bearer ' + accessToken },
      body: new URLSearchParams({ launch: launch }),
      cache: 'no-store'
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.patient) {
      return { problem: body.error_description || body.error || ('error ' + response.status) };
    }
    return { patient: body.patient };
  }

  async function openPlan(breakGlassReason) {
    if (!session || Date.now() >= session.expiresAt) {
      signOut('Your sign-in has ended. Sign in again to open the plan.');
      return;
    }
    $('status').textContent = 'Opening the plan…';
    $('status').hidden = false;
    const headers = { Accept: 'application/fhir+json', Authorization: 'Bearer ' + session.accessToken };
    if (breakGlassReason) {
      headers['X-Break-Glass'] = breakGlassReason;
    }
    const response = await fetch(FHIR_BASE + '/Patient/' + encodeURIComponent(session.patient) + '/$epaccs-summary',
      { headers: headers, cache: 'no-store' });
    const body = await response.json().catch(() => null);
    if (response.status === 401) {
      signOut('Your sign-in has ended. Sign in again to open the plan.');
      return;
    }
    if (!response.ok) {
      const diagnostics = diagnosticsOf(body) || ('The server answered ' + response.status + '.');
      if (response.status === 403 && !breakGlassReason && diagnostics.indexOf('X-Break-Glass') >= 0) {
        $('reason').value = '';
        $('reason-problem').hidden = true;
        show('restricted');
        return;
      }
      problem(response.status === 404 ? 'No plan found for this patient' : 'The plan could not be opened',
        diagnostics);
      return;
    }
    render(body, response.headers.get('X-Break-Glass-Used') === 'true' ? breakGlassReason : null);
  }

  function diagnosticsOf(outcome) {
    if (outcome && outcome.resourceType === 'OperationOutcome' && outcome.issue && outcome.issue.length) {
      return outcome.issue.map((issue) => issue.diagnostics || '').join(' ').trim();
    }
    return null;
  }

  function render(bundle, glassBrokenReason) {
    const entries = (bundle.entry || []).map((entry) => entry.resource).filter(Boolean);
    const composition = entries.find((resource) => resource.resourceType === 'Composition');
    const patient = entries.find((resource) => resource.resourceType === 'Patient');
    if (!composition) {
      problem('The plan could not be read', 'The server\'s answer was not a plan summary.');
      return;
    }
    renderBanner(patient);
    const glass = $('glass-broken');
    glass.hidden = !glassBrokenReason;
    glass.textContent = glassBrokenReason
      ? 'You opened this restricted record by breaking the glass. Your reason: ' + glassBrokenReason
        + '. This is recorded in the audit trail.'
      : '';
    const container = $('sections');
    container.replaceChildren();
    const sections = (composition.section || []).slice();
    const rank = (section) => {
      const index = FIRST.findIndex((start) => (section.title || '').indexOf(start) === 0);
      return index < 0 ? FIRST.length : index;
    };
    sections.map((section, order) => ({ section: section, order: order }))
      .sort((a, b) => (rank(a.section) - rank(b.section)) || (a.order - b.order))
      .forEach((item, position) => container.appendChild(renderSection(item.section, position === 0)));
    $('made').textContent = 'Summary made ' + formatDateTime(composition.date)
      + ' from the current record. Each entry says when it was last changed and by whom.';
    $('print').hidden = false;
    $('sign-out').hidden = false;
    show('plan');
  }

  function renderBanner(patient) {
    const banner = $('patient-banner');
    banner.replaceChildren();
    if (!patient) {
      return;
    }
    const name = (patient.name || [])[0] || {};
    const text = name.text || [].concat(name.given || []).concat(name.family ? [name.family.toUpperCase()] : [])
      .join(' ');
    addField(banner, 'name', text || 'Name not recorded');
    const nhs = (patient.identifier || []).find((id) => id.system === 'https://fhir.nhs.uk/Id/nhs-number');
    if (nhs && /^\d{10}$/.test(nhs.value || '')) {
      addField(banner, 'nhs', 'NHS number ' + nhs.value.slice(0, 3) + ' ' + nhs.value.slice(3, 6) + ' '
        + nhs.value.slice(6));
    }
    if (patient.birthDate) {
      addField(banner, 'born', 'Born ' + formatDate(patient.birthDate));
    }
    if (patient.gender) {
      addField(banner, 'gender', patient.gender.charAt(0).toUpperCase() + patient.gender.slice(1));
    }
  }

  function addField(parent, kind, text) {
    const span = document.createElement('span');
    span.className = kind;
    span.textContent = text;
    parent.appendChild(span);
  }

  function renderSection(section, first) {
    const part = document.createElement('section');
    part.className = 'plan-section' + (first ? ' first' : '');
    const heading = document.createElement('h2');
    heading.textContent = section.title || 'Untitled section';
    part.appendChild(heading);
    const narrative = section.text && section.text.div;
    if (narrative) {
      copyNarrative(new DOMParser().parseFromString(narrative, 'text/html').body, part);
    } else {
      const none = document.createElement('p');
      none.textContent = 'Nothing recorded.';
      part.appendChild(none);
    }
    return part;
  }

  // The section narratives are the server's own XHTML (paragraphs, lists, bold, italics); only those elements and
  // their text are copied, so nothing in a record can become markup or script here.
  const ALLOWED = ['P', 'UL', 'OL', 'LI', 'B', 'I', 'STRONG', 'EM', 'BR', 'SPAN'];

  function copyNarrative(from, to) {
    from.childNodes.forEach((node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        to.appendChild(document.createTextNode(node.textContent));
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (ALLOWED.indexOf(node.tagName) >= 0) {
          const copy = document.createElement(node.tagName.toLowerCase());
          to.appendChild(copy);
          copyNarrative(node, copy);
        } else {
          copyNarrative(node, to);
        }
      }
    });
  }

  function formatDate(value) {
    const date = new Date(value + (value.length === 10 ? 'T12:00:00Z' : ''));
    return isNaN(date) ? value : date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric',
      timeZone: 'Europe/London' });
  }

  function formatDateTime(value) {
    const date = new Date(value);
    return isNaN(date) ? String(value) : date.toLocaleString('en-GB', { day: 'numeric', month: 'short',
      year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
  }

  function watchActivity() {
    const reset = () => {
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(() => {
        const message = 'You were signed out after ' + IDLE_MINUTES
          + ' minutes without activity, and the plan was taken off the screen.';
        signOut(message);
        window.EpaccsSignIn.endIssuerSignIn().then((ended) => {
          if (ended) {
            problem('Signed out', message + ' Opening it again asks for your password.');
          }
        });
      }, IDLE_MINUTES * 60000);
    };
    ['click', 'keydown', 'mousemove', 'scroll', 'touchstart'].forEach((event) =>
      document.addEventListener(event, reset, { passive: true }));
    reset();
  }

  function signOut(message) {
    session = null;
    window.clearTimeout(idleTimer);
    $('sections').replaceChildren();
    $('patient-banner').replaceChildren();
    $('print').hidden = true;
    $('sign-out').hidden = true;
    problem('Signed out', message);
  }

  function startAgain() {
    window.location.assign('/viewer/');
  }

  async function start() {
    const query = new URLSearchParams(window.location.search);
    // nothing read from the address is left in it (nor in the history)
    if (window.location.search) {
      window.history.replaceState(null, '', '/viewer/');
    }
    $('standalone').addEventListener('click', () => signIn('launch/patient user/*.rs')
      .catch((error) => problem('Sign-in could not start', error.message)));
    $('again').addEventListener('click', startAgain);
    $('print').addEventListener('click', () => window.print());
    $('sign-out').addEventListener('click', async () => {
      signOut('You signed out of the viewer.');
      // ends the sign-in at this server's issuer too, after the clinician confirms; another issuer's sign-in is
      // ended as that issuer and the clinical system decide (a smartcard's removal, for NHS CIS2)
      if ((await window.EpaccsSignIn.issuerIsThisServer()) !== false) {
        window.location.assign('/logout');
      }
    });
    $('break-glass').addEventListener('submit', (event) => {
      event.preventDefault();
      const reason = $('reason').value.replace(/\s+/g, ' ').trim();
      if (!reason) {
        $('reason-problem').hidden = false;
        $('reason').focus();
        return;
      }
      openPlan(reason).catch((error) => problem('The plan could not be opened', error.message));
    });

    if (query.has('error')) {
      problem('Sign-in did not complete', query.get('error_description') || query.get('error'));
    } else if (query.has('code')) {
      await finishSignIn(query);
    } else if (query.has('launch')) {
      const iss = (query.get('iss') || '').replace(/\/+$/, '');
      if (iss !== FHIR_BASE) {
        problem('This viewer cannot open that server\'s plans',
          'It opens plans from its own server (' + FHIR_BASE + ') only.');
        return;
      }
      await signIn('launch user/*.rs', query.get('launch'));
    } else {
      show('start');
    }
  }

  start().catch((error) => problem('Something went wrong', error.message));
}());
