// lambdagate dashboard: metrics charts (inline SVG), latest requests, and each request's logs. No dependencies.
'use strict';

const METRICS = ['Count', '4XXError', '5XXError', 'Latency', 'IntegrationLatency'];
// HTTP APIs name their error metrics 4xx and 5xx (rows with ApiId); they share REST's charts
const HTTP_NAMES = { '4XXError': '4xx', '5XXError': '5xx' };
let selected = null;

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

function seriesKey(row) {
  if (row.ApiId !== undefined) return `${row.ApiId} (HTTP API) / ${row.Stage} / ${row.Route}`;
  return `${row.ApiName} / ${row.Stage} / ${row.Method || '-'} ${row.Resource || '(no resource)'}`;
}

function fillSeries(rows) {
  const select = document.getElementById('series');
  const known = new Set([...select.options].map((o) => o.value));
  for (const key of new Set(rows.map(seriesKey))) {
    if (!known.has(key)) select.add(new Option(key, key));
  }
}

function perMinute(rows, metric, minutes) {
  const series = document.getElementById('series').value;
  const now = Math.floor(Date.now() / 60000) * 60;
  const points = new Map();
  for (let m = now - (minutes - 1) * 60; m <= now; m += 60) points.set(m, { sum: 0, n: 0 });
  for (const row of rows) {
    if (series && seriesKey(row) !== series) continue;
    const point = points.get(row.minute);
    if (!point) continue;
    const value = row.ApiId !== undefined ? row[HTTP_NAMES[metric] || metric] : row[metric];
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') {
      point.sum += value.Average * value.SampleCount;
      point.n += value.SampleCount;
    } else {
      point.sum += value;
      point.n = 1;
    }
  }
  const average = metric === 'Latency' || metric === 'IntegrationLatency';
  return [...points.entries()].map(([minute, p]) => [minute, average ? (p.n ? p.sum / p.n : 0) : p.sum]);
}

function drawChart(svg, points) {
  const width = svg.clientWidth || 300;
  const height = svg.clientHeight || 140;
  const pad = 28;
  const max = Math.max(1, ...points.map((p) => p[1]));
  const x = (i) => pad + (i * (width - pad - 6)) / Math.max(1, points.length - 1);
  const y = (v) => height - 16 - (v * (height - 26)) / max;
  const polyline = points.map((p, i) => `${x(i).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
  const last = points.length ? points[points.length - 1][1] : 0;
  svg.setAttribute('data-total', String(points.reduce((a, p) => a + p[1], 0)));
  svg.innerHTML =
    `<line class="axis" x1="${pad}" y1="${height - 16}" x2="${width}" y2="${height - 16}"></line>` +
    `<text x="2" y="12">${Math.round(max * 100) / 100}</text><text x="2" y="${height - 18}">0</text>` +
    `<text x="${width - 90}" y="12">now: ${Math.round(last * 100) / 100}</text>` +
    `<polyline points="${polyline}"></polyline>`;
}

async function refreshCharts() {
  const minutes = Number(document.getElementById('window').value);
  const { rows } = await getJson(`/api/metrics?minutes=${minutes}`);
  fillSeries(rows);
  for (const metric of METRICS) drawChart(document.getElementById(`chart-${metric}`), perMinute(rows, metric, minutes));
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function refreshRequests() {
  const { requests } = await getJson('/api/requests?limit=100');
  const body = document.querySelector('#requests tbody');
  body.replaceChildren(...requests.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.requestId = r.requestId;
    if (r.requestId === selected) tr.className = 'selected';
    tr.append(cell(new Date(r.time).toLocaleTimeString()), cell(r.method), cell(r.path),
      cell(String(r.status), `s${String(r.status)[0]}`), cell(`${r.latencyMs.toFixed(1)} ms`),
      cell(r.api ? `${r.api}${r.kind === 'HTTP' ? ' (HTTP)' : ''}` : ''), cell(r.resource || ''), cell(r.function || ''));
    tr.addEventListener('click', () => showRequest(r.requestId));
    return tr;
  }));
}

// Who was let call: the authorizer's decision and the usage plan's (lambdagate's own words, not AWS's).
function describeAuthorization(detail) {
  const parts = [];
  const a = detail.authorization;
  if (a) {
    const who = a.authorizer ? `${a.type} authorizer ${a.authorizer}` : a.type;
    parts.push(`${who}: ${a.decision}` + (a.principal ? ` (principal ${a.principal})` : '') +
      (a.cached ? ', from its cache' : '') + (a.latencyMs !== null && !a.cached ? `, ${a.latencyMs} ms` : '') +
      (a.hint ? ` — ${a.hint}` : ''));
  }
  const plan = detail.usagePlan;
  if (plan && (plan.required || plan.refused)) {
    parts.push(plan.refused ? 'usage plan: refused' : `API key ${plan.apiKey} in usage plan ${plan.plan}`);
  }
  return parts.join('; ') || 'no authorization';
}

async function showRequest(requestId) {
  selected = requestId;
  const detail = await getJson(`/api/requests/${encodeURIComponent(requestId)}`);
  document.getElementById('detail-empty').hidden = true;
  document.getElementById('detail-body').hidden = false;
  document.getElementById('detail-summary').textContent =
    `${detail.method} ${detail.path} → ${detail.status} in ${detail.latencyMs} ms` +
    (detail.error ? ` (${detail.error})` : '') + (detail.hint ? ` — ${detail.hint}` : '');
  document.getElementById('detail-authorization').textContent = describeAuthorization(detail);
  document.getElementById('execution-log').textContent = detail.executionLog.join('\n') ||
    (detail.kind === 'HTTP' ? '(HTTP APIs write no execution log)' : '(no execution log)');
  document.getElementById('access-log').textContent = (detail.accessLog || []).join('\n') || '(no access log line)';
  document.getElementById('function-log').textContent = detail.functionLog.join('\n') || '(no function log)';
  for (const tr of document.querySelectorAll('#requests tbody tr')) {
    tr.classList.toggle('selected', tr.dataset.requestId === requestId);
  }
}

async function refresh() {
  try {
    await Promise.all([refreshCharts(), refreshRequests()]);
    document.body.dataset.ready = 'true';
  } catch (error) {
    console.error(error);
  }
}

async function start() {
  const overview = await getJson('/api/overview');
  document.getElementById('apis').textContent = overview.apis.map((a) => `${a.name} (${a.kind === 'HTTP' ? 'HTTP API, ' : ''}${a.stage})`).join(', ');
  document.getElementById('series').addEventListener('change', refreshCharts);
  document.getElementById('window').addEventListener('change', refreshCharts);
  await refresh();
  setInterval(refresh, 2000);
}

start();
