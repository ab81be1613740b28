import { run } from './csp-work.mjs';

const params = Object.fromEntries(new URLSearchParams(location.search));
params.anchor = Number(params.anchor);
const page = await run(params).catch((e) => ({ failed: `${e.kind ?? ''} ${e.stack ?? e}` }));
const worker = new Worker('./csp-worker.mjs', { type: 'module' });
const inWorker = await new Promise((ok) => {
  worker.onmessage = (e) => ok(e.data);
  worker.onerror = (e) => ok({ failed: `worker error: ${e.message}` });
  worker.postMessage(params);
});
window.__result = { page, worker: inWorker };
document.getElementById('out').textContent = JSON.stringify(window.__result, null, 2);
