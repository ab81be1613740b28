// The demo page in headless Chromium (Debian's, through playwright-core), under the CSP plugins
// run with, against the real Prometheus of the test harness.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium, openDemo } from './demo-server.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server;
let url;
let expected;
let browser;

before(async () => {
  server = spawn(process.execPath, ['www/demo/serve.mjs', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise((ok, fail) => {
    server.stdout.on('data', (d) => {
      const m = String(d).match(/(http:\/\/127\.0\.0\.1:\d+\/www\/demo\/)/);
      if (m) ok(m[1]);
    });
    server.on('exit', (code) => fail(new Error(`demo server exited with ${code}`)));
  });
  const { readFileSync } = await import('node:fs');
  expected = JSON.parse(readFileSync(`${root}/tests/.work/expected.json`, 'utf8'));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('demo shows the two-container pod at the sum of its containers', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await openDemo(page, url);
  const row = page.locator('tr[data-pod="web-7d4b9c-abcde"] td.value');
  await row.waitFor({ timeout: 30000 });
  const want = expected.pods['shop/web-7d4b9c-abcde'].memoryWorkingSet / 1048576;
  assert.equal(await row.textContent(), `${want.toFixed(0)} MiB`);
  // The breakdown lists the real containers, each with its own working set, and nothing else:
  // the model's 200 and 50 MiB, which the core writes as whole MiB (below 1024 MiB, three
  // significant digits).
  const breakdown = Object.fromEntries(
    Object.entries(expected.pods['shop/web-7d4b9c-abcde'].containers).map(([name, c]) => [name, c.memory / 1048576]),
  );
  assert.deepEqual(breakdown, { app: 200, sidecar: 50 });
  const cell = await page.locator('tr[data-pod="web-7d4b9c-abcde"] td').nth(3).textContent();
  assert.equal(cell, 'app: 200 MiB, sidecar: 50 MiB');
  assert.match(await page.locator('#query').textContent(), /container!=""/);
  assert.ok((await page.locator('#chart polyline').count()) >= 7);
  // Axes: value ticks with their unit, time ticks below, every label inside the chart.
  const labels = await page.$$eval('#chart [data-axis] text', (texts) => {
    const box = document.getElementById('chart').getBoundingClientRect();
    return texts.map((t) => {
      const r = t.getBoundingClientRect();
      return { axis: t.parentNode.dataset.axis, text: t.textContent, inside: r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom };
    });
  });
  const values = labels.filter((l) => l.axis === 'y').map((l) => l.text);
  assert.ok(values.length >= 3 && values.length <= 7, `value ticks: ${values}`);
  for (const v of values) assert.match(v, /^\d+(\.\d+)? (B|KiB|MiB|GiB)$/);
  assert.equal(new Set(values).size, values.length, `value ticks repeat: ${values}`);
  const times = labels.filter((l) => l.axis === 'x').map((l) => l.text);
  assert.equal(times.length, 5);
  for (const t of times) assert.match(t, /^\d\d:\d\d$/);
  assert.deepEqual(labels.filter((l) => !l.inside), [], 'axis labels cut off');
  mkdirSync(`${root}/tests/artifacts`, { recursive: true });
  await page.screenshot({ path: `${root}/tests/artifacts/demo.png`, fullPage: true });
  assert.deepEqual(errors, [], 'no console errors (CSP allows wasm without eval)');
  // A pod with no series: the chart says so instead of staying blank.
  await page.fill('#pod', 'x');
  await page.click('#run');
  await page.locator('#chart .empty').waitFor();
  assert.match(await page.locator('#chart .empty').textContent(), /No data for this range/);
  // A query error is shown, not swallowed.
  await page.selectOption('#range', '86400');
  await page.evaluate(() => { document.getElementById('metric').add(new Option('bogus', 'bogus')); document.getElementById('metric').value = 'bogus'; });
  await page.click('#run');
  await page.locator('#status.error').waitFor();
  assert.match(await page.locator('#status').textContent(), /^invalid_argument: metric/);
});
