// The ICB dashboard: signs the analyst in (authorization code with S256 PKCE, pkce-sign-in.js), runs each
// indicator's Measure/{id}/$evaluate-measure for the chosen period and practices, and shows every group of the
// MeasureReport as a headline, a chart of the chosen breakdown (the proportion with its 95% interval) and a table
// of the same numbers, with a CSV of all of them. It shows exactly what the reports hold: a suppressed count or a
// withheld score is shown as suppressed, never worked out from other cells. Parameters are checked by the server;
// its OperationOutcome is shown as the message. The access token is kept in this script's memory only.
'use strict';

(function () {
  const FHIR_BASE = window.location.origin + '/fhir';
  const APP = {
    clientId: 'epaccs-dashboard',
    redirectUri: window.location.origin + '/dashboard/',
    pendingKey: 'epaccs-dashboard-pending',
    audience: FHIR_BASE
  };
  const SCOPE = 'user/Measure.rs user/MeasureReport.rs';
  const MEASURES = ['epaccs-register-size', 'epaccs-deaths-on-register', 'epaccs-register-care-planning',
    'epaccs-preferred-place-achieved', 'epaccs-usual-residence-deaths', 'epaccs-cyp-register',
    'epaccs-emergency-admissions'];
  const CONFIDENCE_INTERVAL = 'https://fhir.openepaccs.org/StructureDefinition/epaccs-confidence-interval';
  const MEDIAN_DAYS = 'https://fhir.openepaccs.org/StructureDefinition/epaccs-median-days';
  const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
  const STRATIFIERS = [['imd-quintile', 'IMD quintile (deprivation)'], ['age-band', 'Age band'], ['sex', 'Sex'],
    ['ethnic-category-group', 'Ethnic group'], ['diagnosis-group', 'Diagnosis group'], ['gp-practice', 'GP practice']];
  const POPULATION_NAMES = { 'initial-population': 'people', denominator: 'denominator', numerator: 'numerator' };

  let token = null;
  let measures = {}; // id -> Measure
  let reports = []; // [{ measure, report }]
  const charts = [];

  const $ = (id) => document.getElementById(id);

  function show(id) {
    ['start', 'problem', 'report'].forEach((part) => { $(part).hidden = part !== id; });
    $('status').hidden = true;
  }

  function problem(title, text) {
    $('problem-title').textContent = title;
    $('problem-text').textContent = text;
    $('sign-out').hidden = token === null;
    show('problem');
  }

  function element(tag, attributes, text) {
    const made = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => made.setAttribute(name, value));
    if (text !== undefined && text !== null) {
      made.textContent = text;
    }
    return made;
  }

  function diagnosticsOf(outcome) {
    if (outcome && outcome.resourceType === 'OperationOutcome' && outcome.issue && outcome.issue.length) {
      return outcome.issue.map((issue) => issue.diagnostics || '').join(' ').trim();
    }
    return null;
  }

  async function fhir(path) {
    const response = await fetch(FHIR_BASE + path, {
      headers: { Accept: 'application/fhir+json', Authorization: 'Bearer ' + token }, cache: 'no-store'
    });
    const body = await response.json().catch(() => null);
    return { status: response.status, body: body };
  }

  // ---- reading a MeasureReport -------------------------------------------------------------------------------

  function codeOf(concept) {
    return concept && concept.coding && concept.coding[0] ? concept.coding[0].code : null;
  }

  function extension(element, url) {
    return ((element && element.extension) || []).find((e) => e.url === url);
  }

  // a count: a number, or null where suppressed
  function countOf(population) {
    return (population && typeof population.count === 'number') ? population.count : null;
  }

  function cellsOf(part) {
    const cells = {};
    (part.population || []).forEach((population) => { cells[codeOf(population.code)] = countOf(population); });
    return cells;
  }

  function scoreOf(part) {
    const score = part.measureScore;
    if (!score) {
      return { kind: 'none' };
    }
    if (typeof score.value !== 'number') {
      // withheld: either a count it rests on is suppressed, or nobody is in the denominator
      return { kind: cellsOf(part).denominator === 0 ? 'empty' : 'suppressed' };
    }
    const range = extension(part, CONFIDENCE_INTERVAL);
    const median = extension(part, MEDIAN_DAYS);
    return {
      kind: 'value',
      value: score.value,
      unit: score.unit || score.code || null,
      low: range ? range.valueRange.low.value : null,
      high: range ? range.valueRange.high.value : null,
      medianDays: median ? median.valueQuantity.value : null
    };
  }

  function isProportion(group) {
    return (group.population || []).some((population) => codeOf(population.code) === 'numerator');
  }

  // one decimal, half up, from the report's four: toPrecision first drops binary noise (0.2775 * 1000)
  function percent(value) {
    return (Math.round(Number((value * 1000).toPrecision(12))) / 10).toFixed(1) + '%';
  }

  function scoreText(score, proportion) {
    if (score.kind === 'suppressed') {
      return 'suppressed';
    }
    if (score.kind === 'empty') {
      return 'nobody to count';
    }
    if (score.kind !== 'value') {
      return '';
    }
    return proportion ? percent(score.value) : score.value + (score.unit ? ' ' + score.unit : '');
  }

  function intervalText(score) {
    return (score.kind === 'value' && score.low !== null) ? percent(score.low) + ' to ' + percent(score.high) : '';
  }

  function countText(count) {
    return count === null ? 'suppressed' : String(count);
  }

  // England-style comparison: a stratum whose interval lies wholly above or below the overall value
  function comparedWithAll(score, overall) {
    if (score.kind !== 'value' || score.low === null || overall.kind !== 'value') {
      return '';
    }
    if (score.low > overall.value) {
      return 'higher';
    }
    if (score.high < overall.value) {
      return 'lower';
    }
    return 'similar';
  }

  function stratumName(stratum) {
    return (stratum.value && (stratum.value.text || codeOf(stratum.value))) || '';
  }

  // ---- showing it ------------------------------------------------------------------------------------------

  function groupTitle(measure, code) {
    const group = (measure.group || []).find((g) => codeOf(g.code) === code);
    const coding = group && group.code && group.code.coding && group.code.coding[0];
    return { title: (coding && coding.display) || code, about: (group && group.description) || '' };
  }

  function render() {
    charts.splice(0).forEach((chart) => chart.destroy());
    const compare = $('compare').value;
    const container = $('indicators');
    container.replaceChildren();
    reports.forEach(({ measure, report }) => {
      const section = element('section', { class: 'indicator', 'data-measure': measure.id });
      section.append(element('h2', {}, measure.title || measure.id));
      section.append(element('p', { class: 'about' }, measure.description || ''));
      (report.group || []).forEach((group) => section.append(renderGroup(measure, group, compare)));
      container.append(section);
    });
    $('csv').hidden = reports.length === 0;
  }

  function renderGroup(measure, group, compare) {
    const code = codeOf(group.code);
    const names = groupTitle(measure, code);
    const proportion = isProportion(group);
    const overall = scoreOf(group);
    const totals = cellsOf(group);
    const part = element('div', { class: 'group', 'data-group': code });
    part.append(element('h3', {}, names.title));
    const headline = element('p', { class: 'headline', 'data-part': 'headline' });
    if (proportion) {
      headline.textContent = 'All: ' + scoreText(overall, true)
        + (intervalText(overall) ? ' (95% CI ' + intervalText(overall) + ')' : '')
        + '; ' + countText(totals.numerator) + ' of ' + countText(totals.denominator);
    } else {
      headline.textContent = 'All: ' + countText(totals['initial-population'])
        + (overall.kind === 'value' ? '; ' + scoreText(overall, false) : '');
    }
    if (overall.medianDays !== undefined && overall.medianDays !== null) {
      headline.textContent += '; median ' + overall.medianDays + ' days on the register';
    }
    part.append(headline);

    const stratifier = (group.stratifier || []).find((s) => codeOf((s.code || [])[0]) === compare);
    const strata = stratifier ? (stratifier.stratum || []) : [];
    const label = STRATIFIERS.find(([c]) => c === compare)[1];
    const rows = strata.map((stratum) => ({ name: stratumName(stratum), cells: cellsOf(stratum),
      score: scoreOf(stratum) }));

    const box = element('div', { class: 'chart' });
    const canvas = element('canvas', { role: 'img', 'aria-label': names.title + ' by ' + label.toLowerCase()
      + ': ' + rows.map((row) => row.name + ' ' + (proportion ? scoreText(row.score, true)
        : countText(row.cells['initial-population']))).join(', ') });
    box.append(canvas);
    part.append(box);
    charts.push(chartOf(canvas, rows, proportion, overall, label));

    part.append(tableOf(rows, proportion, overall, label, totals));
    return part;
  }

  function chartOf(canvas, rows, proportion, overall, label) {
    const labels = rows.map((row) => row.name + ((proportion ? row.score.kind === 'suppressed'
      : row.cells['initial-population'] === null) ? ' (suppressed)' : ''));
    const datasets = proportion ? [
      { type: 'bar', label: '95% confidence interval', backgroundColor: 'rgba(0, 94, 184, 0.35)',
        data: rows.map((row) => (row.score.kind === 'value' && row.score.low !== null)
          ? [row.score.low * 100, row.score.high * 100] : null) },
      { type: 'line', label: 'Proportion (%)', showLine: false, pointRadius: 6, pointStyle: 'rectRot',
        backgroundColor: '#212b32', borderColor: '#212b32',
        data: rows.map((row) => row.score.kind === 'value' ? row.score.value * 100 : null) },
      { type: 'line', label: 'All (%)', pointRadius: 0, borderDash: [6, 4], borderColor: '#d5281b',
        data: rows.map(() => overall.kind === 'value' ? overall.value * 100 : null) }
    ] : [
      { type: 'bar', label: 'People', backgroundColor: '#005eb8',
        data: rows.map((row) => row.cells['initial-population']) }
    ];
    return new window.Chart(canvas, {
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: label } },
          y: proportion ? { min: 0, max: 100, title: { display: true, text: '%' } } : { beginAtZero: true } }
      }
    });
  }

  function tableOf(rows, proportion, overall, label, totals) {
    const details = element('details', {});
    details.append(element('summary', {}, 'Table of these numbers'));
    const table = element('table', {});
    const head = element('tr', {});
    const columns = proportion ? [label, 'Numerator', 'Denominator', 'Proportion', '95% CI', 'Compared with all',
      'Median days'] : [label, 'People', 'Per 1,000 registered'];
    columns.forEach((column) => head.append(element('th', { scope: 'col' }, column)));
    const thead = element('thead', {});
    thead.append(head);
    table.append(thead);
    const body = element('tbody', {});
    const cell = (text) => element('td', text === 'suppressed' ? { class: 'suppressed' } : {}, text);
    rows.concat([{ name: 'All', cells: totals, score: overall }]).forEach((row) => {
      const tr = element('tr', { 'data-stratum': row.name });
      tr.append(element('th', { scope: 'row' }, row.name));
      if (proportion) {
        const compared = row.name === 'All' ? '' : comparedWithAll(row.score, overall);
        tr.append(cell(countText(row.cells.numerator)), cell(countText(row.cells.denominator)),
          cell(scoreText(row.score, true)), cell(intervalText(row.score)),
          element('td', compared === 'similar' || !compared ? {} : { class: compared }, compared),
          cell(row.score.medianDays != null ? String(row.score.medianDays) : ''));
      } else {
        tr.append(cell(countText(row.cells['initial-population'])),
          cell(row.score.kind === 'value' ? String(row.score.value) : ''));
      }
      body.append(tr);
    });
    table.append(body);
    details.append(table);
    return details;
  }

  // ---- CSV of every number shown ----------------------------------------------------------------------------

  function csv() {
    const lines = [['indicator', 'group', 'breakdown', 'stratum', 'people', 'numerator', 'denominator', 'score',
      'ci_low', 'ci_high', 'median_days']];
    const line = (measure, group, breakdown, stratum, part) => {
      const cells = cellsOf(part);
      const score = scoreOf(part);
      const count = (code) => (code in cells) ? countText(cells[code]) : '';
      lines.push([measure.id, codeOf(group.code), breakdown, stratum, count('initial-population'),
        count('numerator'), count('denominator'),
        score.kind === 'value' ? String(score.value) : (score.kind === 'suppressed' ? 'suppressed' : ''),
        score.kind === 'value' && score.low !== null ? String(score.low) : '',
        score.kind === 'value' && score.high !== null ? String(score.high) : '',
        score.kind === 'value' && score.medianDays != null ? String(score.medianDays) : '']);
    };
    reports.forEach(({ measure, report }) => (report.group || []).forEach((group) => {
      line(measure, group, 'all', 'all', group);
      (group.stratifier || []).forEach((stratifier) => (stratifier.stratum || []).forEach((stratum) =>
        line(measure, group, codeOf((stratifier.code || [])[0]), stratumName(stratum), stratum)));
    }));
    const text = lines.map((fields) => fields.map((field) => /[",\n]/.test(field)
      ? '"' + field.replace(/"/g, '""') + '"' : field).join(',')).join('\r\n') + '\r\n';
    const period = reports.length ? reports[0].report.period : {};
    const link = element('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })),
      download: 'epaccs-indicators-' + (period.start || '') + '-to-' + (period.end || '') + '.csv' });
    document.body.append(link);
    link.click();
    link.remove();
  }

  // ---- loading ---------------------------------------------------------------------------------------------

  async function load() {
    $('form-problem').hidden = true;
    $('showing').textContent = 'Counting…';
    const query = new URLSearchParams();
    const start = $('period-start').value.trim();
    const end = $('period-end').value.trim();
    if (start) {
      query.set('periodStart', start);
    }
    if (end) {
      query.set('periodEnd', end);
    }
    $('practices').value.split(',').map((code) => code.trim()).filter(Boolean)
      .forEach((code) => query.append('practice', code));
    const missing = MEASURES.filter((id) => !measures[id]);
    const read = await Promise.all(missing.map((id) => fhir('/Measure/' + id)));
    for (let i = 0; i < read.length; i++) {
      if (read[i].status === 401) {
        return signedOut();
      }
      if (read[i].status !== 200) {
        return problem('The indicators could not be read', diagnosticsOf(read[i].body)
          || 'The server answered ' + read[i].status + '.');
      }
      measures[missing[i]] = read[i].body;
    }
    const answers = await Promise.all(MEASURES.map((id) => fhir('/Measure/' + id + '/$evaluate-measure?'
      + query.toString())));
    if (answers.some((answer) => answer.status === 401)) {
      return signedOut();
    }
    const refused = answers.find((answer) => answer.status !== 200);
    if (refused) {
      reports = [];
      render();
      $('showing').textContent = '';
      $('form-problem').textContent = diagnosticsOf(refused.body) || 'The server answered ' + refused.status + '.';
      $('form-problem').hidden = false;
      return undefined;
    }
    reports = MEASURES.map((id, i) => ({ measure: measures[id], report: answers[i].body }));
    const period = reports[0].report.period;
    $('period-start').value = period.start.substring(0, 10);
    $('period-end').value = period.end.substring(0, 10);
    const practices = query.getAll('practice');
    $('showing').textContent = 'Showing ' + period.start.substring(0, 10) + ' to ' + period.end.substring(0, 10)
      + (practices.length ? ' for practices ' + practices.join(', ') : ' for the whole ICB') + '.';
    render();
    return undefined;
  }

  function signedOut() {
    token = null;
    reports = [];
    render();
    problem('Signed out', 'Your sign-in has ended. Start again to sign in.');
  }

  async function start() {
    const query = new URLSearchParams(window.location.search);
    if (window.location.search) {
      window.history.replaceState(null, '', '/dashboard/');
    }
    STRATIFIERS.forEach(([code, label]) => $('compare').append(element('option', { value: code }, label)));
    $('sign-in').addEventListener('click', () => window.EpaccsSignIn.start(APP, SCOPE, null)
      .catch((error) => problem('Sign-in could not start', error.message)));
    $('again').addEventListener('click', () => window.location.assign('/dashboard/'));
    $('sign-out').addEventListener('click', async () => {
      token = null;
      // this server's issuer has a sign-out page (tried too when the server cannot say); another issuer's sign-in
      // ends as that issuer decides
      if ((await window.EpaccsSignIn.issuerIsThisServer()) !== false) {
        window.location.assign('/logout');
      } else {
        window.location.assign('/dashboard/');
      }
    });
    $('choose').addEventListener('submit', (event) => {
      event.preventDefault();
      load().catch((error) => problem('The indicators could not be shown', error.message));
    });
    $('compare').addEventListener('change', render);
    $('csv').addEventListener('click', csv);

    if (query.has('error')) {
      problem('Sign-in did not complete', query.get('error_description') || query.get('error'));
    } else if (query.has('code')) {
      const body = await window.EpaccsSignIn.finish(APP, query);
      if (body.problem) {
        problem(body.problem.title, body.problem.text);
        return;
      }
      token = body.access_token;
      $('sign-out').hidden = false;
      show('report');
      await load();
    } else {
      show('start');
    }
  }

  start().catch((error) => problem('Something went wrong', error.message));
}());
