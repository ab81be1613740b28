// Local HTTP servers for client tests: each remembers its requests in flight (a response
// neither finished nor cut off by its connection closing), so a test can check the client left
// none hanging; `closeServers` closes them all after the tests.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

const servers = [];

/** A server on 127.0.0.1 with `handler`; its `url` is set once it listens. */
export async function serve(handler) {
  const server = createServer(handler);
  server.inFlight = new Set();
  server.on('request', (req, res) => {
    server.inFlight.add(res);
    res.on('close', () => server.inFlight.delete(res));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push(server);
  server.url = `http://127.0.0.1:${server.address().port}`;
  return server;
}

/**
 * Waits until no request of `server` is in flight: a request the client gave up on (timeout,
 * abort, error) must have its connection closed, not left hanging on the server.
 */
export async function noRequestLeft(server, ms = 10000) {
  const t0 = Date.now();
  while (server.inFlight.size > 0 && Date.now() - t0 < ms) await new Promise((ok) => setTimeout(ok, 20));
  assert.equal(server.inFlight.size, 0, 'the client left a request hanging');
}

/** Closes every server `serve` started. */
export function closeServers() {
  for (const s of servers.splice(0)) {
    s.closeAllConnections?.();
    s.close();
  }
}
