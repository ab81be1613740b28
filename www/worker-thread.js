// The worker half of kubeprom's worker mode (www/worker.js): the same API, run in a module
// worker. Each message names an export or a client method with its arguments; the answer goes
// back with the buffers of its typed arrays transferred, so the page's thread copies nothing
// large. No logic lives here, only the calls and their transport.
import init, * as kubeprom from './index.js';

/** Clients by id, made by `client` and `headlampServiceProxy` messages. */
const clients = new Map();
let nextClient = 1;
/** Requests that can be aborted, by message id. */
const aborts = new Map();

/** The distinct buffers under `value` (results hold typed arrays in arrays and objects). */
function buffersOf(value, found = new Set()) {
  if (ArrayBuffer.isView(value)) {
    found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) buffersOf(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) buffersOf(value[key], found);
  }
  return found;
}

function errorOf(e) {
  if (e instanceof kubeprom.KubepromError) {
    return { kind: e.kind, message: e.message, status: e.status, retryAfter: e.retryAfter, errorType: e.errorType };
  }
  return { kind: 'unknown', message: e instanceof Error ? e.message : String(e) };
}

/** A client request's arguments with the worker's own signal in the options at `at` (the page says where). */
function withSignal(args, at, id) {
  const controller = new AbortController();
  aborts.set(id, controller);
  const copy = [...args];
  copy[at] = { ...(copy[at] ?? {}), signal: controller.signal };
  return copy;
}

/** The client methods the page may call. */
const METHODS = new Set(['query', 'queryRange', 'targets', 'queryPods', 'queryRangePods', 'recommendResources']);

async function answer(message) {
  switch (message.op) {
    case 'init':
      await init(...message.args);
      return undefined;
    case 'call': {
      const f = kubeprom[message.name];
      if (typeof f !== 'function' || message.name.startsWith('init')) {
        throw new kubeprom.KubepromError('invalid_argument', `${message.name}: not a kubeprom function`);
      }
      return f(...message.args);
    }
    case 'client': {
      const client =
        message.kind === 'headlampServiceProxy'
          ? kubeprom.PrometheusClient.headlampServiceProxy(...message.args)
          : new kubeprom.PrometheusClient(...message.args);
      const id = nextClient++;
      clients.set(id, client);
      return { id, baseUrl: client.baseUrl };
    }
    case 'request': {
      const client = clients.get(message.client);
      if (client === undefined || !METHODS.has(message.method)) {
        throw new kubeprom.KubepromError('invalid_argument', `${message.method}: no such client method`);
      }
      const args = message.abortable ? withSignal(message.args, message.signalAt, message.id) : message.args;
      try {
        return await client[message.method](...args);
      } finally {
        aborts.delete(message.id);
      }
    }
    case 'close':
      clients.get(message.client)?.free?.();
      clients.delete(message.client);
      return undefined;
    default:
      throw new kubeprom.KubepromError('invalid_argument', `unknown worker message ${message.op}`);
  }
}

self.onmessage = async ({ data: message }) => {
  if (message.op === 'abort') {
    aborts.get(message.id)?.abort();
    return;
  }
  try {
    const value = await answer(message);
    self.postMessage({ id: message.id, value }, [...buffersOf(value)]);
  } catch (e) {
    self.postMessage({ id: message.id, error: errorOf(e) });
  }
};
