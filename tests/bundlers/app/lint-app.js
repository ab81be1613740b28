// An app that lints: the main entry, the linter entry and worker mode, as a plugin author writes
// them. Its answers land in `globalThis.answers` for the test to read.
import init, { buildQuery, parseResponse, aggregatePods, KubepromError } from 'kubeprom';
import { lintQuery } from 'kubeprom/lint';
import { startWorker } from 'kubeprom/worker';

const BODY = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'vector',
    result: [
      { metric: { namespace: 'shop', pod: 'web-0', container: 'app' }, value: [1700000000, '1048576'] },
      { metric: { namespace: 'shop', pod: 'web-0', container: 'sidecar' }, value: [1700000000, '3145728'] },
      // The pod-level cgroup series and the pause container: never added to the containers.
      { metric: { namespace: 'shop', pod: 'web-0' }, value: [1700000000, '4194304'] },
      { metric: { namespace: 'shop', pod: 'web-0', container: 'POD' }, value: [1700000000, '65536'] },
    ],
  },
});

async function run() {
  await init();
  const spec = { metric: 'pod_memory_working_set', namespace: 'shop' };
  const result = parseResponse(BODY);
  const kp = await startWorker({ worker: new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) });
  const answers = {
    query: buildQuery(spec),
    series: result.series.length,
    pods: aggregatePods(result, { unit: 'MiB' }).map((p) => [p.pod, p.value]),
    findings: lintQuery('sum by (pod) (container_memory_working_set_bytes)').map((f) => f.rule),
    workerQuery: await kp.buildQuery(spec),
    workerPods: (await kp.aggregatePods(result, { unit: 'MiB' })).map((p) => [p.pod, p.value]),
    typedError: await kp.buildQuery({ metric: 'nope' }).then(
      () => 'no error',
      (e) => `${e instanceof KubepromError} ${e.kind}`,
    ),
  };
  kp.terminate();
  return answers;
}

run().then(
  (answers) => (globalThis.answers = answers),
  (e) => (globalThis.answers = { error: String(e?.stack ?? e) }),
);
