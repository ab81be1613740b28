import { formatDuration, formatNumber, formatValue } from './format';

describe('format', () => {
  it('writes values with their unit', () => {
    expect(formatValue(250, 'MiB')).toBe('250 MiB');
    expect(formatValue(300, 'millicores')).toBe('300m');
    expect(formatValue(1, 'cores')).toBe('1 core');
    expect(formatValue(0.25, 'cores')).toBe('0.25 cores');
    expect(formatValue(12.345, undefined)).toBe('12.3');
    expect(formatValue(NaN, 'MiB')).toBe('—');
    expect(formatValue(-Infinity, 'MiB')).toBe('-Inf');
  });

  it('keeps three significant digits below 100', () => {
    expect(formatNumber(1024)).toBe('1024');
    expect(formatNumber(99.95)).toBe('100');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(0.0123)).toBe('0.012');
    expect(formatNumber(0)).toBe('0');
  });

  it('writes durations', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(150)).toBe('2m 30s');
    expect(formatDuration(3600 + 300)).toBe('1h 5m');
    expect(formatDuration(7200)).toBe('2h');
    expect(formatDuration(NaN)).toBe('—');
  });
});
