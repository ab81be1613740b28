// @vitest-environment node
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKubepromForTests } from '../testing/kubeprom';
import { parseQuantity, QuantityError } from './quantity';

// Expected values are written out by hand from the suffix definitions (decimal: powers of 1000,
// binary: powers of 1024), not computed by the code under test.
const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);


// The parsing is the core's: load the real module.
beforeAll(loadKubepromForTests);
describe('parseQuantity', () => {
  it('reads CPU as metrics-server writes it', () => {
    close(parseQuantity('250m'), 0.25);
    close(parseQuantity('1234567n'), 0.001234567);
    close(parseQuantity('250000000n'), 0.25);
    close(parseQuantity('1500u'), 0.0015);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('0')).toBe(0);
    close(parseQuantity('0.5'), 0.5);
  });

  it('reads memory in every binary suffix', () => {
    expect(parseQuantity('200Mi')).toBe(209715200);
    expect(parseQuantity('209715200')).toBe(209715200);
    expect(parseQuantity('123456Ki')).toBe(126418944);
    expect(parseQuantity('1Gi')).toBe(1073741824);
    expect(parseQuantity('1Ti')).toBe(1099511627776);
    expect(parseQuantity('1Pi')).toBe(1125899906842624);
    expect(parseQuantity('1Ei')).toBe(1152921504606846976);
    expect(parseQuantity('1.5Gi')).toBe(1610612736);
  });

  it('reads every decimal suffix', () => {
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('1M')).toBe(1000000);
    expect(parseQuantity('1G')).toBe(1000000000);
    expect(parseQuantity('1T')).toBe(1000000000000);
    expect(parseQuantity('1P')).toBe(1000000000000000);
    expect(parseQuantity('1E')).toBe(1000000000000000000);
    close(parseQuantity('3m'), 0.003);
    close(parseQuantity('7u'), 0.000007);
    close(parseQuantity('9n'), 0.000000009);
  });

  it('reads decimal exponents, and tells E (exa) from E3 (exponent)', () => {
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1E3')).toBe(1000);
    expect(parseQuantity('1e+3')).toBe(1000);
    close(parseQuantity('25e-2'), 0.25);
    expect(parseQuantity('2E')).toBe(2000000000000000000);
    expect(parseQuantity('1.5e6')).toBe(1500000);
  });

  it('accepts the number forms of the grammar and a sign', () => {
    close(parseQuantity('.5'), 0.5);
    expect(parseQuantity('5.')).toBe(5);
    expect(parseQuantity('+1k')).toBe(1000);
    expect(parseQuantity('-1Ki')).toBe(-1024);
    expect(parseQuantity('007Mi')).toBe(7340032);
  });

  it('passes plain JSON numbers through', () => {
    expect(parseQuantity(42)).toBe(42);
  });

  it('refuses what is not a quantity, with a typed error', () => {
    for (const bad of [
      '',
      ' 1',
      '1 ',
      '1K', // kilo is a lower-case k; K only starts Ki
      '1KB',
      '1mi',
      '1e',
      '1e3.5',
      '1Mi3',
      '.',
      '+',
      '1..2',
      'abc',
      '1,5',
      '0x10',
      'NaN',
      'Infinity',
    ]) {
      expect(() => parseQuantity(bad), bad).toThrow(QuantityError);
    }
    expect(() => parseQuantity(null)).toThrow(QuantityError);
    expect(() => parseQuantity(Number.NaN)).toThrow(QuantityError);
    expect(() => parseQuantity('1e400')).toThrow(/out of range/);
    try {
      parseQuantity('12q');
    } catch (e) {
      expect(e).toBeInstanceOf(QuantityError);
      expect((e as QuantityError).kind).toBe('invalid_argument');
      expect((e as QuantityError).message).toContain('"12q"');
    }
  });
});
