// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { kubepromLoaded } from './kubeprom';
import { effectiveSettings } from './settings';

// This file never loads kubeprom: the settings of a first render, before the module is ready.
describe('effectiveSettings before kubeprom has loaded', () => {
  it('keeps the default scrape interval instead of calling the core', () => {
    expect(kubepromLoaded()).toBe(false);
    const e = effectiveSettings({ c: { scrapeInterval: '15s', refreshSeconds: 10 } }, 'c');
    expect(e.scrapeIntervalSeconds).toBe(30);
    expect(e.refreshSeconds).toBe(10);
  });
});
