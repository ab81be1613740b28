// The npm package as apps install it: `npm pack`'s tarball installed into a fresh folder, two
// apps (one that lints and uses worker mode, one that never lints) built by Vite and by
// webpack 5, each run in headless Chromium; and the package's types checked by TypeScript with
// moduleResolution "bundler" and "node16". Expected answers are written out here by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { launchChromium } from '../js/demo-server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../..');
const work = join(here, '.work');
let browser;

before(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--offline', join(work, packed[0].filename)], { cwd: work, stdio: 'pipe' });
});

after(async () => {
  await browser?.close();
});

/** The app's files in a folder of their own, with `entry` as the page's script. */
function appFolder(name, entry) {
  const dir = join(work, name);
  cpSync(join(here, 'app'), dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), readFileSync(join(dir, 'index.html'), 'utf8').replace('ENTRY', entry));
  return dir;
}

async function buildWithVite(name, entry) {
  const dir = appFolder(name, entry);
  await viteBuild({ root: dir, logLevel: 'warn', configFile: false, worker: { format: 'es' }, build: { outDir: join(dir, 'dist'), emptyOutDir: true } });
  return join(dir, 'dist');
}

async function buildWithWebpack(name, entry) {
  const dir = appFolder(name, entry);
  const dist = join(dir, 'dist');
  const stats = await new Promise((ok, fail) =>
    webpack({ mode: 'production', context: dir, entry: `./${entry}`, output: { path: dist, filename: 'main.js', publicPath: 'auto' } }, (e, s) => (e ? fail(e) : ok(s))),
  );
  assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><meta charset="utf-8"><script src="./main.js"></script>');
  return dist;
}

/** Every file of `dir` with its size. */
function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => ({ name: String(f), size: statSync(join(dir, String(f))).size }))
    .filter((f) => statSync(join(dir, f.name)).isFile());
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves `dist` on loopback, opens it in Chromium and returns `globalThis.answers`, with every URL the page asked for. */
async function runInChromium(dist) {
  const requested = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x').pathname;
    requested.push(url);
    const path = url === '/' ? '/index.html' : url;
    try {
      const body = readFileSync(join(dist, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  browser ??= await launchChromium();
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => globalThis.answers !== undefined, null, { timeout: 30000 });
    const answers = await page.evaluate(() => globalThis.answers);
    assert.deepEqual(errors, []);
    return { answers, requested };
  } finally {
    await page.close();
    server.closeAllConnections();
    server.close();
  }
}

const MiB_LINTER = 1_000_000;

for (const [bundler, buildApp] of [
  ['vite', buildWithVite],
  ['webpack', buildWithWebpack],
]) {
  test(`${bundler}: an app that lints gets the core, the linter and worker mode from the tarball`, async () => {
    const dist = await buildApp(`${bundler}-lint`, 'lint-app.js');
    const wasm = files(dist).filter((f) => f.name.endsWith('.wasm'));
    assert.equal(wasm.length, 2, `two wasm assets: ${JSON.stringify(wasm)}`);
    const { answers, requested } = await runInChromium(dist);
    assert.equal(answers.error, undefined, answers.error);
    assert.match(answers.query, /container!=""/);
    assert.match(answers.query, /namespace="shop"/);
    assert.equal(answers.series, 4);
    // app 1 MiB + sidecar 3 MiB; the pod-level series and the pause container are left out.
    assert.deepEqual(answers.pods, [['web-0', 4]]);
    assert.ok(answers.findings.includes('cadvisor-double-count'), JSON.stringify(answers.findings));
    assert.equal(answers.workerQuery, answers.query);
    assert.deepEqual(answers.workerPods, answers.pods);
    assert.equal(answers.typedError, 'true invalid_argument');
    assert.ok(requested.some((p) => p.endsWith('.wasm')));
  });

  test(`${bundler}: an app that never lints neither builds in nor downloads the linter`, async () => {
    const dist = await buildApp(`${bundler}-core`, 'core-app.js');
    const built = files(dist);
    const wasm = built.filter((f) => f.name.endsWith('.wasm'));
    assert.equal(wasm.length, 1, `the core's wasm alone: ${JSON.stringify(wasm)}`);
    assert.ok(built.every((f) => f.size < MiB_LINTER), `nothing the linter's size: ${JSON.stringify(built)}`);
    const { answers, requested } = await runInChromium(dist);
    assert.equal(answers.error, undefined, answers.error);
    assert.match(answers.query, /container_cpu_usage_seconds_total/);
    assert.equal(answers.text, '250m');
    assert.equal(requested.filter((p) => p.endsWith('.wasm')).length, 1);
  });
}

for (const moduleResolution of ['bundler', 'node16']) {
  test(`types: index.d.ts, lint.d.ts and worker.d.ts check with moduleResolution "${moduleResolution}"`, () => {
    const dir = join(work, `types-${moduleResolution}`);
    mkdirSync(dir, { recursive: true });
    cpSync(join(here, 'app/types.ts'), join(dir, 'types.ts'));
    const options = {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module: moduleResolution === 'bundler' ? 'ESNext' : 'node16',
      moduleResolution,
      types: [],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['types.ts'] }));
    const tsc = join(here, 'node_modules/typescript/bin/tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    } catch (e) {
      assert.fail(`tsc (${moduleResolution}):\n${e.stdout}${e.stderr}`);
    }
  });
}
