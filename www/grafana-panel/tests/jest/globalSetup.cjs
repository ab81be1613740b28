// Starts the repository's harness Prometheus once for the jest run, records the panel's test
// queries and hands the file to the tests through KUBEPROM_PROMETHEUS_FIXTURES.
// CommonJS with import(): jest would require() an .mjs setup, and the harness module has
// top-level await.
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

module.exports = async function globalSetup() {
  const { startPrometheus } = await import(
    pathToFileURL(resolve(__dirname, '../../../../tests/harness/prometheus.mjs')).href
  );
  const { recordResponses } = await import(pathToFileURL(resolve(__dirname, '../prometheusFixtures.mjs')).href);
  const prom = await startPrometheus();
  try {
    const recorded = await recordResponses(prom.url, prom.expected);
    const dir = mkdtempSync(join(tmpdir(), 'kubeprom-grafana-jest-'));
    const file = join(dir, 'prometheus.json');
    writeFileSync(file, JSON.stringify({ expected: prom.expected, ...recorded }));
    process.env.KUBEPROM_PROMETHEUS_FIXTURES = file;
    globalThis.__kubepromFixturesDir = dir;
  } finally {
    await prom.stop();
  }
};
