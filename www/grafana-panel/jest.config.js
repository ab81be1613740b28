// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

// Jest configuration provided by Grafana scaffolding
const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');
const [, swc] = Object.entries(base.transform)[0];

module.exports = {
  ...base,
  transform: {
    ...base.transform,
    // @grafana/data 13 pulls in d3 packages that ship only `.mjs` ES modules.
    '^.+\\.mjs$': swc,
  },
  // The harness Prometheus of the repository, queried once per run (see tests/jest/globalSetup.cjs).
  globalSetup: '<rootDir>/tests/jest/globalSetup.cjs',
  globalTeardown: '<rootDir>/tests/jest/globalTeardown.cjs',
  // Jest's 5 s default is a race with a loaded CI machine, not a check of anything.
  testTimeout: 60000,
  // ES-module-only packages that @grafana/ui 13 and @grafana/data 13 pull in.
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@react-hookz/web', '@ver0/deep-equal'])],
};
