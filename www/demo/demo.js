// The demo page: everything it shows comes from kubeprom (queries, parsing, per-pod sums).
import init, { listMetrics, buildQuery, aggregatePods, formatValue, PrometheusClient, KubepromError } from '../index.js';
import { setupLintBox } from './lint.js';
import { showQueues } from './queues.js';

const $ = (id) => document.getElementById(id);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
/** Display units per base unit. */
const DISPLAY = { cores: 'millicores', bytes: 'MiB', 'bytes/s': 'KiB/s' };

await init();
const client = new PrometheusClient({ baseUrl: new URL('/prometheus', location.href).href, timeoutMs: 15000 });
const metrics = listMetrics().filter((m) => m.filters.includes('workload'));
for (const m of metrics) $('metric').add(new Option(`${m.title} (${m.id})`, m.id));
$('metric').value = 'pod_memory_working_set';

async function loadNamespaces() {
  const result = await client.query(buildQuery({ metric: 'pod_memory_working_set' }));
  const namespaces = [...new Set(aggregatePods(result).map((p) => p.namespace))];
  for (const ns of namespaces) $('namespace').add(new Option(ns, ns));
}

const SVG = 'http://www.w3.org/2000/svg';
/** The plot area inside the 800x260 view box: room on the left for values, below for times. */
const PLOT = { left: 96, right: 790, top: 12, bottom: 232 };

function svgNode(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A round step near a quarter of `top`: 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(top) {
  const raw = top / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
}

const clock = (t) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });

/** One line per pod over time, with value ticks in the pods' unit and time ticks below. */
function drawChart(pods) {
  const svg = $('chart');
  const legend = $('legend');
  svg.replaceChildren();
  legend.replaceChildren();
  const all = pods.flatMap((p) => Array.from(p.values ?? [])).filter(Number.isFinite);
  const times = pods.flatMap((p) => Array.from(p.timestamps ?? []));
  if (!all.length) {
    svg.append(svgNode('text', { x: 400, y: 130, 'text-anchor': 'middle', class: 'empty' }, 'No data for this range: Prometheus has no matching series.'));
    return;
  }
  const unit = pods[0].unit;
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const step = niceStep(Math.max(...all) || 1);
  const top = Math.ceil((Math.max(...all) || 1) / step) * step;
  const x = (t) => PLOT.left + ((t - t0) / (t1 - t0 || 1)) * (PLOT.right - PLOT.left);
  const y = (v) => PLOT.bottom - (v / top) * (PLOT.bottom - PLOT.top);
  const axis = svgNode('g', { class: 'axis', 'data-axis': 'y' });
  for (let v = 0; v <= top + step / 2; v += step) {
    axis.append(svgNode('line', { x1: PLOT.left, x2: PLOT.right, y1: y(v), y2: y(v), class: 'grid' }));
    axis.append(svgNode('text', { x: PLOT.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, formatValue(v, unit)));
  }
  const timeAxis = svgNode('g', { class: 'axis', 'data-axis': 'x' });
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    timeAxis.append(svgNode('text', { x: x(t), y: PLOT.bottom + 18, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, clock(t)));
  }
  svg.append(axis, timeAxis);
  pods.forEach((p, i) => {
    const points = Array.from(p.timestamps, (t, j) => `${x(t).toFixed(1)},${y(p.values[j]).toFixed(1)}`);
    svg.append(svgNode('polyline', { points: points.join(' '), fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 2 }));
    const item = document.createElement('li');
    item.style.color = COLORS[i % COLORS.length];
    item.textContent = `${p.namespace}/${p.pod}`;
    legend.append(item);
  });
}

async function show(event) {
  event?.preventDefault();
  const metric = metrics.find((m) => m.id === $('metric').value);
  const unit = DISPLAY[metric?.unit];
  const spec = { metric: $('metric').value };
  if ($('namespace').value) spec.namespace = $('namespace').value;
  if ($('pod').value) spec.pod = $('pod').value;
  $('status').className = '';
  $('status').textContent = 'Loading…';
  try {
    const promql = buildQuery(spec);
    $('query').textContent = promql;
    const now = Date.now() / 1000;
    const range = Number($('range').value);
    // The table breaks each pod down by container where the metric has one; the pod's value is
    // still the sum of exactly those containers.
    const perContainer = metric?.filters.includes('container')
      ? buildQuery({ ...spec, by: [...metric.defaultBy.filter((l) => l !== 'container'), 'container'] })
      : promql;
    const [instant, matrix] = await Promise.all([
      client.query(perContainer),
      client.queryRange(promql, now - range, now, Math.max(15, Math.round(range / 240))),
    ]);
    const pods = aggregatePods(instant, { unit });
    const rows = pods.map((p) => {
      const tr = document.createElement('tr');
      tr.dataset.pod = p.pod;
      tr.dataset.namespace = p.namespace;
      const containers = p.containers.map((c) => `${c.container || '(pod)'}: ${formatValue(c.value, p.unit)}`).join(', ');
      for (const [text, cls] of [[p.namespace], [p.pod], [formatValue(p.value, p.unit), 'value'], [containers]]) {
        const td = document.createElement('td');
        td.textContent = text;
        if (cls) td.className = cls;
        tr.append(td);
      }
      return tr;
    });
    $('pods').tBodies[0].replaceChildren(...rows);
    drawChart(aggregatePods(matrix, { unit, stat: $('stat').value, keepSeries: true }));
    $('status').textContent = `${pods.length} pods${instant.warnings.length ? `; warnings: ${instant.warnings.join('; ')}` : ''}`;
  } catch (e) {
    $('status').className = 'error';
    $('status').textContent = e instanceof KubepromError ? `${e.kind}: ${e.message}` : String(e);
  }
}

/** Tabs as the WAI-ARIA tabs pattern: arrows, Home and End move between them. */
function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, '', tab.id === 'tab-queues' ? '#queues' : '#');
    if (tab.id === 'tab-queues') showQueues(client);
  };
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (event) => {
      const i = tabs.indexOf(tab);
      const next = { ArrowRight: tabs[(i + 1) % tabs.length], ArrowLeft: tabs[(i - 1 + tabs.length) % tabs.length], Home: tabs[0], End: tabs[tabs.length - 1] }[event.key];
      if (next) {
        event.preventDefault();
        select(next, true);
      }
    });
  }
  if (location.hash === '#queues') select(document.getElementById('tab-queues'), false);
}

setupTabs();
setupLintBox(client);
$('controls').addEventListener('submit', show);
// Every control answers from here on (the module awaited the wasm first, and the load event
// does not wait for that): the page's tests wait for this mark before they use the controls.
document.body.dataset.ready = 'true';
loadNamespaces()
  .catch((e) => {
    $('status').className = 'error';
    $('status').textContent = `${e.kind ?? 'error'}: ${e.message}`;
  })
  .finally(() => show());
