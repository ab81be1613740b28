import { createDataFrame, type DataFrame, DataFrameType, FieldType } from '@grafana/data';
import type { RecommendationNeed } from 'kubeprom';
import { realKubeprom } from '../testing/kubeprom';
import { answerFrames as frames, WEB, WEB_ANSWERS as ANSWERS } from '../testing/rightSizingFrames';
import type { RightSizingOptions } from '../types';
import { framesToResults } from './frames';
import { buildRightSizingView, type RightSizingInput, rightSizingSpec, rightSizingTargets } from './rightSizing';

const kp = realKubeprom();
const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;
const NEEDS: RecommendationNeed[] = [
  'cpuUsage',
  'cpuSamples',
  'memoryPeak',
  'oomKilled',
  'cpuRequest',
  'cpuLimit',
  'memoryRequest',
  'memoryLimit',
];

/** The targets the query helper writes for `options`. */
function targets(options: RightSizingOptions = WEB) {
  return rightSizingTargets(kp, options).targets!;
}

function view(input: Partial<RightSizingInput> & { frames?: DataFrame[] }, options = WEB, vars = (s: string) => s) {
  return buildRightSizingView(
    kp,
    {
      targets: input.targets ?? targets(options),
      refs: framesToResults(input.frames ?? frames()),
      errors: input.errors ?? [],
    },
    options,
    vars
  );
}

describe('rightSizingSpec', () => {
  it('fills in the dashboard variables of label values and leaves unset settings to the core', () => {
    const vars = (s: string) => s.replace('$namespace', 'shop').replace('${workload}', 'web');
    expect(
      rightSizingSpec({ namespace: ' $namespace ', workloadKind: 'StatefulSet', workloadName: '${workload}' }, vars)
    ).toEqual({ spec: { namespace: 'shop', workload: { kind: 'StatefulSet', name: 'web' } }, missing: [] });
  });

  it('passes the settings on, a CPU limit factor of 0 meaning none', () => {
    const { spec } = rightSizingSpec({
      ...WEB,
      container: 'app',
      window: '7d',
      cpuPercentile: 0.9,
      memoryBuffer: 0,
      cpuLimitTimes: 2,
      minHistory: '2d',
      profile: 'plain',
    });
    expect(spec).toEqual({
      namespace: 'shop',
      workload: { kind: 'Deployment', name: 'web' },
      container: 'app',
      window: '7d',
      cpuPercentile: 0.9,
      memoryBuffer: 0,
      cpuLimit: { requestTimes: 2 },
      minHistory: '2d',
      profile: 'plain',
    });
    expect(rightSizingSpec({ ...WEB, cpuLimitTimes: 0 }).spec?.cpuLimit).toBeUndefined();
  });

  it('names what is missing, a variable without a value included', () => {
    expect(rightSizingSpec({ workloadKind: 'Deployment' }).missing).toEqual(['namespace', 'workload name']);
    const unset = (s: string) => (s === '$namespace' ? '' : s);
    expect(rightSizingSpec({ ...WEB, namespace: '$namespace' }, unset).missing).toEqual(['namespace']);
  });
});

describe('rightSizingTargets', () => {
  it('writes one instant target per need, the need as refId, variables kept', () => {
    const written = targets({ ...WEB, namespace: '$namespace' });
    expect(written.map((t) => t.refId)).toEqual(NEEDS);
    for (const t of written) {
      expect(t).toMatchObject({ instant: true, range: false, editorMode: 'code' });
      expect(t.expr).toContain('namespace="$namespace"');
      expect(t.expr).toContain('owner_name="web"');
    }
    expect(written.find((t) => t.refId === 'memoryPeak')?.expr).toMatch(
      /^max_over_time\(.*container_memory_working_set_bytes/
    );
  });

  it("reports the core's objection to a setting", () => {
    expect(rightSizingTargets(kp, { ...WEB, cpuPercentile: 95 }).error).toMatch(/cpuPercentile/);
  });
});

describe('buildRightSizingView with the real kubeprom core', () => {
  it("turns each target's frames into its need's answer and shows the core's recommendation", () => {
    const v = view({});
    expect(v.notices).toEqual([]);
    expect(v.rows.map((r) => r.container)).toEqual(['app', 'sidecar']);
    const [app, sidecar] = v.rows;
    // CPU: 0.4321 cores rounds up to the next 10m, 440m; 1 core is 560m more than that, beyond
    // the 20 % tolerance (88m).
    expect(app.cpuRequest).toMatchObject({
      current: 1,
      currentText: '1000m',
      recommended: 0.44,
      recommendedText: '440m',
      quantity: '440m',
      differenceText: '+560m',
      status: 'over-provisioned',
      color: 'orange',
    });
    // Memory: the 700 MiB peak plus 15 % is 805 MiB, rounded up to 16 MiB steps: 816 MiB (51 x 16).
    expect(app.memoryRequest).toMatchObject({
      current: 256 * MiB,
      recommended: 816 * MiB,
      quantity: '816Mi',
      differenceText: '-560 MiB',
      status: 'under-provisioned',
      color: 'red',
    });
    // The limit: 1 GiB is 208 MiB over, beyond 20 % of 816 MiB (163.2 MiB).
    expect(app.memoryLimit).toMatchObject({
      currentText: '1 GiB',
      differenceText: '+208 MiB',
      status: 'over-provisioned',
    });
    // No CPU limit set, and none recommended (the default policy).
    expect(app.cpuLimit).toEqual({ currentText: 'not set' });
    // The worst of its settings.
    expect(app).toMatchObject({ status: 'under-provisioned', statusText: 'Under-provisioned', color: 'red' });
    // 4032 steps of 5 minutes.
    expect(app.historyText).toBe('14d');
    expect(app.kubectl).toBe(
      'kubectl set resources deployment/web -n shop -c app --requests=cpu=440m,memory=816Mi --limits=memory=816Mi'
    );
    // The sidecar: 3m of CPU is under the 10m floor; 40 MiB plus 15 % under the 100 MiB floor,
    // which rounds up to 112 MiB; 100 MiB (12 MiB under) and 128 MiB (16 MiB over) are within
    // the tolerance.
    expect(sidecar.cpuRequest).toMatchObject({ quantity: '10m', differenceText: '0m', status: 'fine', color: 'green' });
    expect(sidecar.memoryRequest).toMatchObject({ quantity: '112Mi', differenceText: '-12 MiB', status: 'fine' });
    expect(sidecar.memoryLimit).toMatchObject({ quantity: '112Mi', differenceText: '+16 MiB', status: 'fine' });
    expect(sidecar.status).toBe('fine');
    expect(v.workload).toEqual({ namespace: 'shop', kind: 'Deployment', name: 'web' });
    expect(v.queries.map((q) => q.need)).toEqual(NEEDS);
  });

  it('reads table-format frames (labels as columns) as the same answer', () => {
    const table = createDataFrame({
      refId: 'memoryPeak',
      fields: [
        { name: 'Time', type: FieldType.time, values: [T0, T0] },
        { name: 'container', type: FieldType.string, values: ['app', 'sidecar'] },
        { name: 'Value', type: FieldType.number, values: [700 * MiB, 40 * MiB] },
      ],
    });
    const rest = frames().filter((f) => f.refId !== 'memoryPeak');
    const v = view({ frames: [...rest, table] });
    expect(v.rows.map((r) => r.memoryRequest.quantity)).toEqual(['816Mi', '112Mi']);
  });

  it('gives no numbers and names the missing need when a query is not there', () => {
    const v = view({
      targets: targets().filter((t) => t.refId !== 'memoryLimit'),
      frames: frames().filter((f) => f.refId !== 'memoryLimit'),
    });
    expect(v.rows).toEqual([]);
    expect(v.notices.map((n) => n.title)).toEqual(['Right-sizing queries missing: memoryLimit']);
    // The PromQL stays shown, to write the missing query.
    expect(v.queries).toHaveLength(8);
  });

  it('counts a hidden target as missing', () => {
    const v = view({ targets: targets().map((t) => (t.refId === 'cpuUsage' ? { ...t, hide: true } : t)) });
    expect(v.rows).toEqual([]);
    expect(v.notices.map((n) => n.title)).toContain('Right-sizing queries missing: cpuUsage');
  });

  it("refuses targets written for other settings, and accepts the executed query when it is the plan's", () => {
    // Targets of a 7-day history under a panel set to the default (14 days): the four queries
    // over the history differ, those of the current requests and limits do not.
    const stale = view({ targets: targets({ ...WEB, window: '7d' }) });
    expect(stale.rows).toEqual([]);
    expect(stale.notices.map((n) => n.title)).toEqual([
      "Not this workload's right-sizing queries: cpuUsage, cpuSamples, memoryPeak, oomKilled",
    ]);
    // Frames of a data source that records what it ran, with no target text to compare; a query
    // without series answers with a frame without fields.
    const ran = targets().flatMap((t) => {
      const meta = { executedQueryString: `Expr: ${t.expr}\nStep: 15s` };
      const own = frames().filter((f) => f.refId === t.refId);
      return own.length > 0
        ? own.map((f) => ({ ...f, meta: { ...f.meta, ...meta } }))
        : [createDataFrame({ refId: t.refId, meta, fields: [] })];
    });
    const v = view({ targets: [], frames: ran });
    expect(v.notices).toEqual([]);
    expect(v.rows.map((r) => r.container)).toEqual(['app', 'sidecar']);
  });

  it('reads variables in the options: targets as written, the command for the values', () => {
    const options = { ...WEB, namespace: '$namespace' };
    const v = view({ targets: targets(options) }, options, (s) => s.replace('$namespace', 'shop'));
    expect(v.notices).toEqual([]);
    expect(v.rows[0].kubectl).toBe(
      'kubectl set resources deployment/web -n shop -c app --requests=cpu=440m,memory=816Mi --limits=memory=816Mi'
    );
    expect(v.queries[0].promql).toContain('namespace="shop"');
  });

  it('gives no numbers when a query failed', () => {
    const v = view({
      frames: frames().filter((f) => f.refId !== 'cpuRequest'),
      errors: [{ refId: 'cpuRequest', message: 'query timed out' }],
    });
    expect(v.rows).toEqual([]);
    expect(v.notices).toEqual([{ severity: 'error', title: 'Query cpuRequest failed', text: 'query timed out' }]);
  });

  it('gives no numbers for series without a container label', () => {
    const summed = createDataFrame({
      refId: 'memoryPeak',
      fields: [
        { name: 'Time', type: FieldType.time, values: [T0] },
        { name: 'Value', type: FieldType.number, values: [740 * MiB] },
      ],
    });
    const v = view({ frames: [...frames().filter((f) => f.refId !== 'memoryPeak'), summed] });
    expect(v.rows).toEqual([]);
    expect(v.notices.map((n) => n.title)).toEqual(['Series without a container: memoryPeak']);
  });

  it('gives no numbers for a native histogram frame it cannot read', () => {
    const heatmap = createDataFrame({
      refId: 'cpuUsage',
      meta: { type: DataFrameType.HeatmapCells },
      fields: [
        { name: 'xMax', type: FieldType.time, values: [T0] },
        { name: 'yMin', type: FieldType.number, values: [0.5] },
        { name: 'count', type: FieldType.number, values: [3] },
      ],
    });
    const v = view({ frames: [...frames().filter((f) => f.refId !== 'cpuUsage'), heatmap] });
    expect(v.rows).toEqual([]);
    expect(v.notices.map((n) => n.title)).toEqual(['Query cpuUsage: not read']);
  });

  it('reads range frames by their last sample and suggests instant queries', () => {
    const range = createDataFrame({
      refId: 'cpuUsage',
      meta: { type: DataFrameType.TimeSeriesMulti },
      fields: [
        { name: 'Time', type: FieldType.time, values: [T0 - 60_000, T0] },
        { name: 'Value', type: FieldType.number, values: [0.9, 0.4321], labels: { container: 'app' } },
      ],
    });
    const rest = frames().filter((f) => f.refId !== 'cpuUsage' || f.fields[1].labels?.container !== 'app');
    const v = view({ frames: [...rest, range] });
    expect(v.notices.map((n) => n.title)).toEqual(['Run as range queries: cpuUsage']);
    expect(v.rows[0].cpuRequest.quantity).toBe('440m');
  });

  it('says Not enough data for a short history, with no command', () => {
    // 100 steps of 5 minutes: 8 h 20 min, under the 1-day minimum.
    const short = { ...ANSWERS, cpuSamples: [['app', 100] as [string, number], ['sidecar', 4032] as [string, number]] };
    const [app] = view({ frames: frames(short) }).rows;
    expect(app).toMatchObject({ status: 'not-enough-data', statusText: 'Not enough data', color: 'darkgrey' });
    expect(app.historyText).toBe('8h 20m');
    expect(app.kubectl).toBeUndefined();
    expect(app.cpuRequest).toEqual({ current: 1, currentText: '1000m' });
  });

  it('asks for a workload before anything else, and names the other queries it does not read', () => {
    const none = view({ targets: [] }, { workloadKind: 'Deployment' });
    expect(none.notices.map((n) => n.title)).toEqual(['Choose a workload']);
    expect(none.notices[0].text).toContain('namespace, workload name');
    const extra = view({ targets: [...targets(), { refId: 'A', expr: 'up' }] });
    expect(extra.notices.map((n) => n.title)).toEqual(['Not shown: A']);
    expect(extra.rows).toHaveLength(2);
  });

  it('says so when the workload has no containers in Prometheus', () => {
    const v = view({ frames: [] });
    expect(v.rows).toEqual([]);
    expect(v.notices.map((n) => n.title)).toEqual(['No containers']);
  });
});
