// The "Queues and operators" view: Kueue queues and the operators' controller health from the
// demo's Prometheus (every query built by kubeprom), and a Kueue visibility API response
// summarised by kubeprom.
import { aggregateGroups, buildQuery, formatValue, kueuePendingSummary, toExposition, KubepromError } from '../index.js';

const $ = (id) => document.getElementById(id);

/** The operators shown, and how their scrape job is recognised. */
const OPERATORS = [
  { id: 'kueue', name: 'Kueue', job: /kueue/ },
  { id: 'kuberay', name: 'KubeRay', job: /kuberay/ },
  { id: 'spark-operator', name: 'Spark operator', job: /spark/ },
];

const FIXTURE_URL = new URL('fixtures/pending-workloads-cq-gpu.json', import.meta.url);
/** When the sample response was captured: its waits are measured to this time. */
const FIXTURE_CAPTURED_AT = '2026-11-20T12:00:00Z';

function describe(e) {
  return e instanceof KubepromError ? `${e.kind}: ${e.message}` : String(e?.message ?? e);
}

// The core writes every value, as it does for the plugins; a missing series is NaN: no value.
const duration = (seconds) => formatValue(seconds ?? NaN, 'seconds');
const rate = (perSecond) => formatValue(perSecond ?? NaN, 'ops/s');
const count = (n) => formatValue(n ?? NaN, 'count');

/** A table cell whose raw number stays readable (data-value) beside its formatted text. */
function cell(text, { value, field, cls } = {}) {
  const td = document.createElement('td');
  td.textContent = text;
  if (value !== undefined) td.dataset.value = String(value);
  if (field) td.dataset.field = field;
  if (cls) td.className = cls;
  return td;
}

function errorRow(table, message) {
  const tr = document.createElement('tr');
  const td = cell(message, { cls: 'error' });
  td.colSpan = table.tHead.rows[0].cells.length;
  tr.append(td);
  table.tBodies[0].replaceChildren(tr);
}

/** The core's groups of a report by their key joined with '/', as the rows name them. */
const byKey = (report) => new Map(report.groups.map((g) => [g.key.join('/'), g]));

/**
 * One row per queue with pending series: pending by status, the p95 wait and the admissions per
 * second, each grouped by the core (a quantile's series combine by their maximum). `head` gives
 * the row's leading cells; a status without a series is none pending.
 */
async function queueTable(client, { table, metrics: [pendingMetric, waitMetric, admittedMetric], group, head, empty }) {
  try {
    const [pending, wait, admitted] = await Promise.all([
      client.query(buildQuery({ metric: pendingMetric })),
      client.query(buildQuery({ metric: waitMetric, quantile: 0.95 })),
      client.query(buildQuery({ metric: admittedMetric })),
    ]);
    const queues = aggregateGroups(pending, { group, part: 'status' }).groups;
    const w = byKey(aggregateGroups(wait, { group, combine: 'max' }));
    const a = byKey(aggregateGroups(admitted, { group }));
    table.tBodies[0].replaceChildren(...queues.map((q) => {
      const key = q.key.join('/');
      const tr = document.createElement('tr');
      const [active, inadmissible] = ['active', 'inadmissible'].map((status) => q.parts.find((p) => p.part === status)?.value ?? 0);
      const p95 = w.get(key)?.value;
      const admissions = a.get(key)?.value;
      tr.append(
        ...head(tr, q),
        cell(count(active), { value: active, field: 'active', cls: 'value' }),
        cell(count(inadmissible), { value: inadmissible, field: 'inadmissible', cls: 'value' }),
        cell(duration(p95), { value: p95, field: 'wait-p95', cls: 'value' }),
        cell(rate(admissions), { value: admissions, field: 'admitted', cls: 'value' }),
      );
      return tr;
    }));
    if (!queues.length) errorRow(table, empty);
  } catch (e) {
    errorRow(table, describe(e));
  }
}

const clusterQueues = (client) => queueTable(client, {
  table: $('cluster-queues'),
  metrics: ['kueue_pending_workloads', 'kueue_admission_wait_time', 'kueue_admitted_workloads_rate'],
  group: ['cluster_queue'],
  head: (tr, q) => {
    tr.dataset.clusterQueue = q.labels.cluster_queue;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = q.labels.cluster_queue;
    return [th];
  },
  empty: 'No kueue_pending_workloads series: is Kueue scraped?',
});

const localQueues = (client) => queueTable(client, {
  table: $('local-queues'),
  metrics: ['kueue_local_queue_pending_workloads', 'kueue_local_queue_admission_wait_time', 'kueue_local_queue_admitted_workloads_rate'],
  // Scraped without honorLabels (Kueue's Helm chart), the queue's namespace is exported_namespace.
  group: [['exported_namespace', 'namespace'], 'name'],
  head: (tr, q) => {
    tr.dataset.localQueue = q.key.join('/');
    return q.key.map((label) => cell(label));
  },
  empty: 'No local-queue series: Kueue exports them with the LocalQueueMetrics feature gate on.',
});

/**
 * up / down / not scraped for one operator. Prometheus' live targets say it best; without a
 * live target (a stored dataset, or the scrape config was removed) the stored `up` series says
 * whether the last scrapes worked; with neither, nothing scrapes the operator.
 */
function operatorState(op, targets, upByJob) {
  const live = targets.filter((t) => op.job.test(t.job));
  if (live.length) {
    const down = live.filter((t) => t.health !== 'up');
    if (down.length) {
      return { state: 'down', why: `Target ${down[0].scrapeUrl} is ${down[0].health}${down[0].lastError ? `: ${down[0].lastError}` : ''}.` };
    }
    return { state: 'up', why: `${live.length} target${live.length === 1 ? '' : 's'} scraped (${live.map((t) => t.job)[0]}).` };
  }
  const jobs = upByJob.filter((g) => op.job.test(g.labels.job));
  if (!jobs.length) {
    return { state: 'not scraped', why: `No scrape target and no up series for a job matching ${op.job}: nothing scrapes this operator's metrics (add a ServiceMonitor or PodMonitor).` };
  }
  for (const g of jobs) {
    const failing = g.parts.find((p) => p.value === 0);
    if (failing) {
      return { state: 'down', why: `up is 0 for job ${g.labels.job} at ${failing.part || 'its instance'}: Prometheus could not scrape it, so its controller metrics are missing or stale.` };
    }
  }
  return { state: 'up', why: `up is 1 for job ${jobs[0].labels.job}.` };
}

/**
 * An instant vector's series selected per operator, once for each operator whose job pattern
 * matches the series' job, labelled `operator` for the core to group them by.
 */
const ofOperators = (result) => ({
  ...result,
  series: result.series.flatMap((s) => OPERATORS.filter((op) => op.job.test(s.labels.job ?? '')).map((op) => ({ ...s, labels: { ...s.labels, operator: op.id } }))),
});

async function operators(client) {
  const table = $('operators');
  try {
    // Without the targets API (a proxy may block it) the stored up series still tell the state.
    let targets = [];
    try {
      targets = await client.targets();
    } catch (e) {
      $('queues-status').textContent = `Targets API unavailable (${describe(e)}); operator state from up only.`;
    }
    const [up, reconciles, errors, depth] = await Promise.all([
      client.query(buildQuery({ metric: 'scrape_up', by: ['job', 'instance'] })),
      client.query(buildQuery({ metric: 'operator_reconcile_rate', by: ['job'] })),
      client.query(buildQuery({ metric: 'operator_reconcile_errors', by: ['job'] })),
      client.query(buildQuery({ metric: 'operator_workqueue_depth', by: ['job'] })),
    ]);
    // Per operator, its jobs' series summed by the core (jobs as parts); no series: no data.
    const byOperator = [reconciles, errors, depth].map((result) => byKey(aggregateGroups(ofOperators(result), { group: ['operator'], part: 'job' })));
    // Targets by job, instances as parts.
    const upByJob = aggregateGroups(up, { group: ['job'], part: 'instance' }).groups;
    table.tBodies[0].replaceChildren(...OPERATORS.map((op) => {
      const { state, why } = operatorState(op, targets, upByJob);
      const tr = document.createElement('tr');
      tr.dataset.operator = op.id;
      tr.dataset.state = state;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = op.name;
      const [reconciling, failing, queued] = byOperator.map((groups) => groups.get(op.id)?.value);
      tr.append(
        th,
        cell(state, { field: 'state', cls: `state-${state.replace(' ', '-')}` }),
        cell(why, { field: 'why' }),
        cell(reconciling === undefined ? 'no data' : rate(reconciling), { value: reconciling, field: 'reconciles', cls: 'value' }),
        cell(failing === undefined ? 'no data' : rate(failing), { value: failing, field: 'errors', cls: 'value' }),
        cell(queued === undefined ? 'no data' : count(queued), { value: queued, field: 'depth', cls: 'value' }),
      );
      return tr;
    }));
  } catch (e) {
    errorRow(table, describe(e));
  }
}

function visibility() {
  const status = $('visibility-status');
  const queues = $('visibility-queues');
  const head = $('visibility-head');
  status.className = '';
  try {
    const now = Date.parse($('visibility-now').value) / 1000;
    const clusterQueue = $('visibility-cq').value.trim();
    const summaries = kueuePendingSummary($('visibility-body').value, { now, clusterQueue });
    queues.tBodies[0].replaceChildren(...summaries.map((s) => {
      const tr = document.createElement('tr');
      const key = s.localQueue === undefined ? `cq:${s.clusterQueue}` : `lq:${s.namespace}/${s.localQueue}`;
      tr.dataset.queue = key;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = s.localQueue === undefined ? `${s.clusterQueue} (cluster queue)` : `${s.namespace}/${s.localQueue}`;
      tr.append(
        th,
        cell(count(s.pending), { value: s.pending, field: 'pending', cls: 'value' }),
        cell(duration(s.wait.p50), { value: s.wait.p50, field: 'p50', cls: 'value' }),
        cell(duration(s.wait.p95), { value: s.wait.p95, field: 'p95', cls: 'value' }),
        cell(duration(s.wait.max), { value: s.wait.max, field: 'max', cls: 'value' }),
        cell(s.byPriority.map((b) => `${b.priority}: ${b.pending}`).join(', ')),
      );
      return tr;
    }));
    const cq = summaries.find((s) => s.localQueue === undefined);
    head.tBodies[0].replaceChildren(...(cq?.head ?? []).map((h) => {
      const tr = document.createElement('tr');
      tr.dataset.workload = `${h.namespace}/${h.name}`;
      tr.append(
        cell(String(h.position), { value: h.position, field: 'position', cls: 'value' }),
        cell(`${h.namespace}/${h.name}`),
        cell(h.localQueue),
        cell(String(h.priority), { value: h.priority, field: 'priority', cls: 'value' }),
        cell(duration(h.waitSeconds), { value: h.waitSeconds, field: 'wait', cls: 'value' }),
      );
      return tr;
    }));
    $('exposition').textContent = toExposition(summaries);
    status.textContent = `${cq?.pending ?? 0} pending workloads in ${summaries.length - 1} local queues.`;
  } catch (e) {
    status.className = 'error';
    status.textContent = describe(e);
    queues.tBodies[0].replaceChildren();
    head.tBodies[0].replaceChildren();
    $('exposition').textContent = '';
  }
}

let loaded;

/** Loads the view's data the first time it is shown. */
export function showQueues(client) {
  loaded ??= (async () => {
    $('queues-status').textContent = 'Loading…';
    $('visibility-now').value = FIXTURE_CAPTURED_AT;
    $('visibility-form').addEventListener('submit', (event) => {
      event.preventDefault();
      visibility();
    });
    const fixture = fetch(FIXTURE_URL)
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${FIXTURE_URL}: HTTP ${r.status}`))))
      .then((body) => {
        $('visibility-body').value = body;
        visibility();
      })
      .catch((e) => {
        $('visibility-status').className = 'error';
        $('visibility-status').textContent = describe(e);
      });
    await Promise.all([clusterQueues(client), localQueues(client), operators(client), fixture]);
    if ($('queues-status').textContent === 'Loading…') $('queues-status').textContent = `Loaded ${new Date().toLocaleTimeString()}.`;
    $('view-queues').dataset.loaded = 'true';
  })();
  return loaded;
}
