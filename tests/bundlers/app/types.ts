// The package's types as a TypeScript app uses them, checked with moduleResolution "bundler"
// and "node16" (tests/bundlers/run.mjs writes one tsconfig for each).
import init, { buildQuery, aggregatePodsFromBytes, PrometheusClient, type PodValue, type FromBytesReport } from 'kubeprom';
import { initLint, lintQuery, lintDashboard, lintRules, type Finding, type FileReport, type FileSubject } from 'kubeprom/lint';
import { startWorker, type WorkerKubeprom } from 'kubeprom/worker';

export async function typed(): Promise<[string, PodValue[], Finding[], FromBytesReport, number]> {
  await init(undefined, { lint: false });
  await initLint();
  const query: string = buildQuery({ metric: 'pod_memory_working_set', namespace: 'shop' });
  const report: FromBytesReport = aggregatePodsFromBytes(new Uint8Array(), { stats: ['p95'], top: 5 });
  const client = new PrometheusClient({ baseUrl: '/prometheus' });
  const streamed: FromBytesReport = await client.queryPods(query, undefined, { unit: 'MiB' });
  const kp: WorkerKubeprom = await startWorker();
  const inWorker = await (await kp.client({ baseUrl: '/prometheus' })).queryRangePods(query, 0, 60, 15);
  return [query, report.pods, lintQuery(query), streamed, inWorker.totalPods];
}

/** The file lint: a dashboard as JSON text, rules as the object a YAML parser gives. */
export function typedFiles(): string[] {
  const dashboard: FileReport = lintDashboard('{"panels": []}', { scrapeInterval: '30s' });
  const rules: FileReport = lintRules({ groups: [] });
  const where = (s: FileSubject): string => (s.kind === 'panel' ? s.title : s.kind === 'rule' ? s.group : s.name);
  return [...dashboard.findings, ...rules.findings].map((f) => `${where(f.subject)} ${f.rule} ${f.start}`);
}
