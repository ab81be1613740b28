import { run } from './csp-work.mjs';

self.onmessage = async (e) => {
  self.postMessage(await run(e.data).catch((err) => ({ failed: `${err.kind ?? ''} ${err.stack ?? err}` })));
};
