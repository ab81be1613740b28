const { rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  if (globalThis.__kubepromFixturesDir) {
    rmSync(globalThis.__kubepromFixturesDir, { recursive: true, force: true });
  }
};
