// Shared by the demo's browser tests: the demo server (with the harness Prometheus behind it)
// and headless Chromium (Debian's, through playwright-core). Not a test file itself.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `www/demo/serve.mjs` on a free port; resolves to { url, expected, stop() }. */
export async function startDemo() {
  const server = spawn(process.execPath, ['www/demo/serve.mjs', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok, fail) => {
    server.stdout.on('data', (d) => {
      const m = String(d).match(/(http:\/\/127\.0\.0\.1:\d+\/www\/demo\/)/);
      if (m) ok(m[1]);
    });
    server.on('exit', (code) => fail(new Error(`demo server exited with ${code}`)));
  });
  // The server has prepared the dataset by now, so expected.json is the one it serves.
  const expected = JSON.parse(readFileSync(`${root}/tests/.work/expected.json`, 'utf8'));
  return { url, expected, stop: () => server.kill('SIGTERM') };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A new page that records page errors and console errors into the returned array. */
/**
 * Opens the demo and waits until its module has set every control up: the load event comes
 * before that, since the module first awaits the wasm.
 */
export async function openDemo(page, url) {
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 60000 });
}

export async function pageWithErrors(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return { page, errors };
}
