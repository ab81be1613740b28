// The demo's query box in headless Chromium under the plugins' CSP: findings underlined at the
// linter's UTF-16 offsets, a one-click fix, and Run against the harness Prometheus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startDemo, launchChromium, pageWithErrors, root, openDemo } from './demo-server.mjs';

let demo;
let browser;

before(async () => {
  demo = await startDemo();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

/** The text under the underline of the finding with `rule`, and the finding's offsets. */
async function underlined(page, rule) {
  const item = page.locator(`#findings li[data-rule="${rule}"]`);
  await item.waitFor({ timeout: 30000 });
  const index = await item.getAttribute('data-index');
  const start = Number(await item.getAttribute('data-start'));
  const end = Number(await item.getAttribute('data-end'));
  const text = await page.$$eval('#promql-backdrop mark', (marks, i) => marks.filter((m) => m.dataset.findings.split(' ').includes(i)).map((m) => m.textContent).join(''), index);
  return { start, end, text };
}

test('the prefilled double-count query is underlined at the selector, fixed in one click, and runs', async () => {
  const { page, errors } = await pageWithErrors(browser);
  await openDemo(page, demo.url);
  const box = page.getByLabel('PromQL', { exact: false });
  const query = await box.inputValue();
  const selector = 'container_memory_working_set_bytes{namespace="shop"}';
  assert.ok(query.includes(selector), `prefilled with the double-count query, got ${query}`);

  const finding = await underlined(page, 'cadvisor-double-count');
  assert.equal(finding.text, selector, 'the underline covers exactly the selector');
  assert.equal(finding.start, query.indexOf(selector));
  assert.equal(finding.end, query.indexOf(selector) + selector.length);
  // The backdrop holds the same text as the box, so the underline sits under the typed text.
  assert.equal((await page.textContent('#promql-backdrop')).trimEnd(), query);
  const mark = page.locator('#promql-backdrop mark.warning');
  const [markBox, areaBox] = [await mark.boundingBox(), await box.boundingBox()];
  assert.ok(markBox.width > 0 && markBox.x >= areaBox.x && markBox.x + markBox.width <= areaBox.x + areaBox.width, 'underline inside the box');
  mkdirSync(`${root}/tests/artifacts`, { recursive: true });
  await page.screenshot({ path: `${root}/tests/artifacts/demo-lint.png`, fullPage: true });

  await page.locator('#findings li[data-rule="cadvisor-double-count"] button.fix').click();
  await page.waitForFunction(() => !document.querySelector('#findings li[data-rule="cadvisor-double-count"]'));
  const fixed = await box.inputValue();
  assert.match(fixed, /container!=""/);
  assert.notEqual(fixed, query);
  assert.equal(await page.locator('#promql-backdrop mark[data-rules~="cadvisor-double-count"]').count(), 0);
  await page.screenshot({ path: `${root}/tests/artifacts/demo-lint-fixed.png`, fullPage: true });

  // Run: the fixed query returns one series per pod of the namespace.
  await page.getByRole('button', { name: 'Run' }).click();
  await page.locator('#run-result[data-count]').waitFor();
  const shopPods = Object.values(demo.expected.pods).filter((p) => p.namespace === 'shop').length;
  assert.equal(Number(await page.getAttribute('#run-result', 'data-count')), shopPods);
  assert.deepEqual(errors, []);
});

test('non-ASCII text before a finding does not shift its underline', async () => {
  const { page, errors } = await pageWithErrors(browser);
  await openDemo(page, demo.url);
  await page.locator('#findings li').first().waitFor({ timeout: 30000 });
  const selector = 'container_memory_working_set_bytes{namespace="shöp", pod=~"wéb-.*"}';
  // Astral-plane emoji take two UTF-16 units, CJK one, and both several UTF-8 bytes.
  const query = `# 日本語 😀 prüfen 𝔘\nsum by (pod) (${selector})`;
  await page.getByLabel('PromQL', { exact: false }).fill(query);
  await page.waitForFunction((q) => document.querySelector('#findings li[data-rule="cadvisor-double-count"]') && document.getElementById('promql-backdrop').textContent.startsWith(q), query);
  const finding = await underlined(page, 'cadvisor-double-count');
  assert.equal(finding.text, selector);
  assert.equal(finding.start, query.indexOf(selector));
  assert.equal(finding.end, query.indexOf(selector) + selector.length);
  await page.screenshot({ path: `${root}/tests/artifacts/demo-lint-unicode.png`, fullPage: true });
  assert.deepEqual(errors, []);
});

test('findings are reachable by keyboard and a bad query reports a parse error', async () => {
  const { page, errors } = await pageWithErrors(browser);
  await openDemo(page, demo.url);
  await page.locator('#findings li').first().waitFor({ timeout: 30000 });
  const box = page.getByLabel('PromQL', { exact: false });
  await box.fill('sum(rate(http_requests_total[5m])');
  await page.locator('#findings li[data-rule="parse-error"]').waitFor();
  assert.equal(await page.locator('#promql-backdrop mark.error').count() >= 1, true);
  // Keyboard: the fix of a fixable finding is applied with Enter.
  await box.fill('sum by (pod) (container_memory_working_set_bytes{namespace="shop"})');
  const fix = page.locator('#findings li[data-rule="cadvisor-double-count"] button.fix');
  await fix.waitFor();
  await fix.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('#findings li[data-rule="cadvisor-double-count"]'));
  assert.match(await box.inputValue(), /container!=""/);
  assert.deepEqual(errors, []);
});
