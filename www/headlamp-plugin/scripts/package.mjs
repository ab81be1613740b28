#!/usr/bin/env node
/*
 * `headlamp-plugin package` names the folder inside the tarball after the plugin's source
 * folder, which is `headlamp-plugin` here (www/headlamp-plugin/) and would clash with other
 * plugins in a plugins directory. Package from a staging folder named after the package instead:
 * the tarball then unpacks to kubeprom-headlamp/{main.js,package.json}.
 */
import { spawnSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';

const pluginDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8'));
const stage = join(mkdtempSync(join(tmpdir(), 'kubeprom-headlamp-')), pkg.name);
mkdirSync(join(stage, 'dist'), { recursive: true });
cpSync(join(pluginDir, 'dist'), join(stage, 'dist'), { recursive: true });
cpSync(join(pluginDir, 'package.json'), join(stage, 'package.json'));
rmSync(join(pluginDir, `${pkg.name}-${pkg.version}.tar.gz`), { force: true });
const r = spawnSync(
  join(pluginDir, 'node_modules/.bin/headlamp-plugin'),
  ['package', stage, pluginDir],
  {
    stdio: 'inherit',
  }
);
rmSync(dirname(stage), { recursive: true, force: true });
process.exit(r.status ?? 1);
