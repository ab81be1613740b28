// A backend server run as a child process for the tests (Prometheus, VictoriaMetrics): started,
// waited for until its readiness URL answers, stopped with its scratch folder removed.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Spawns `command` and resolves once `readyUrl` answers 2xx, within a minute. `dir` is the
 * server's scratch folder, removed on stop and when it fails to start. Resolves to
 * `{ stop(), log() }`; `log()` is the end of its stderr.
 */
export async function startServerProcess({ command, args, readyUrl, dir }) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.on('error', (e) => { log += `${command} could not run (${e.message}); install it (see .ci/run)\n`; });
  child.stderr.on('data', (d) => { log = (log + d).slice(-8000); });
  const exited = new Promise((ok) => child.on('close', ok));
  const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10000))]);
      if (running()) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60000;
  for (;;) {
    // A spawn that fails reports it on the next turn: give it one before the first check.
    await new Promise((ok) => setTimeout(ok, 200));
    if (!running()) {
      await stop();
      throw new Error(`${command} ${child.pid === undefined ? 'did not start' : `exited with ${child.exitCode ?? child.signalCode}`}:\n${log}`);
    }
    try {
      if ((await fetch(readyUrl)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not become ready:\n${log}`);
    }
  }
  return { stop, log: () => log };
}
