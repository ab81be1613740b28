// The same value shows the same text in both plugins. Each plugin's real-browser test renders the
// harness Prometheus dataset with its real build and writes what its DOM shows to
// target/plugin-texts/<plugin>.json ({ plugin, texts: { key: text } }); this compares every key
// both wrote. Run after both plugin suites (tests/run-all.sh).
//
//   node tests/scripts/plugin-texts.mjs
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const folder = join(root, 'target/plugin-texts');
const expected = JSON.parse(readFileSync(join(root, 'tests/.work/expected.json'), 'utf8'));

function load(plugin) {
  const path = join(folder, `${plugin}.json`);
  if (!existsSync(path)) {
    console.error(`${path} is missing: run the ${plugin} plugin's browser test first (tests/plugins.sh ${plugin})`);
    process.exit(1);
  }
  const file = JSON.parse(readFileSync(path, 'utf8'));
  if (file.plugin !== plugin || typeof file.texts !== 'object') {
    console.error(`${path}: expected { plugin: "${plugin}", texts: {...} }`);
    process.exit(1);
  }
  return file.texts;
}

const headlamp = load('headlamp');
const grafana = load('grafana');
const shared = Object.keys(headlamp).filter((k) => k in grafana).sort();
let failed = 0;
for (const key of shared) {
  if (headlamp[key] === grafana[key]) {
    console.log(`ok - ${key}: ${JSON.stringify(headlamp[key])}`);
  } else {
    failed++;
    console.log(`not ok - ${key}: Headlamp shows ${JSON.stringify(headlamp[key])}, Grafana ${JSON.stringify(grafana[key])}`);
  }
}

// What both must show, from the dataset's model: every pod's memory and CPU, every cluster
// queue's pending total and wait. A plugin that stopped writing a key would otherwise pass.
const required = [
  ...Object.keys(expected.pods).flatMap((id) => [`pod/${id}/memory`, `pod/${id}/cpu`]),
  ...Object.keys(expected.kueue.pending).flatMap((cq) => [`queue/${cq}/pending`, `queue/${cq}/wait`]),
];
for (const key of required) {
  if (!shared.includes(key)) {
    failed++;
    console.log(`not ok - ${key}: shown by ${key in headlamp ? 'Headlamp only' : key in grafana ? 'Grafana only' : 'neither plugin'}`);
  }
}
console.log(`${shared.length} values shown by both plugins, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
