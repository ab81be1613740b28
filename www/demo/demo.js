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

function drawChart(pods) {
  const svg = $('chart');
  const legend = $('legend');
  svg.replaceChildren();
  legend.replaceChildren();
  const all = pods.flatMap((p) => Array.from(p.values ?? []));
  const times = pods.flatMap((p) => Array.from(p.timestamps ?? []));
  if (!all.length) return;
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const top = Math.max(...all.filter(Number.isFinite)) * 1.1 || 1;
  pods.forEach((p, i) => {
    const points = Array.from(p.timestamps, (t, j) => `${(((t - t0) / (t1 - t0 || 1)) * 780 + 10).toFixed(1)},${(250 - (p.values[j] / top) * 240).toFixed(1)}`);
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', points.join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', COLORS[i % COLORS.length]);
    line.setAttribute('stroke-width', '2');
    svg.append(line);
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
