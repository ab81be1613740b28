/**
 * Text for a value already converted to `unit` by the kubeprom core: `250 MiB`, `300m` (CPU in
 * millicores, as kubectl writes it), `1.5 cores`.
 */
export function formatValue(value: number, unit: string | undefined): string {
  if (Number.isNaN(value)) {
    return '—';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '+Inf' : '-Inf';
  }
  const n = formatNumber(value);
  switch (unit) {
    case undefined:
    case '':
      return n;
    case 'millicores':
      return `${n}m`;
    case 'cores':
      return `${n} ${Math.abs(value) === 1 ? 'core' : 'cores'}`;
    case 'percent':
      return `${n}%`;
    default:
      return `${n} ${unit}`;
  }
}

/** Three significant digits for small values, whole numbers from 100 up. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  let digits: number;
  if (abs >= 100 || abs === 0) {
    digits = 0;
  } else if (abs >= 10) {
    digits = 1;
  } else if (abs >= 1) {
    digits = 2;
  } else {
    digits = 3;
  }
  const s = value.toFixed(digits);
  // 250.0 -> 250, 0.250 -> 0.25, but 300 stays 300.
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A duration in seconds as `42s`, `3m 20s`, `1h 5m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) {
    return Number.isNaN(seconds) ? '—' : '+Inf';
  }
  if (seconds < 60) {
    return `${formatNumber(seconds)}s`;
  }
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) {
    return m > 0 ? `${h}h ${m}m` : `${h}h`;
  }
  return rest > 0 ? `${m}m ${rest}s` : `${m}m`;
}
