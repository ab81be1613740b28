/*
 * Kubernetes resource quantities ("250m", "1234567n", "200Mi", "123456Ki", "1e3"), as the
 * metrics.k8s.io API reports pod usage.
 *
 * The grammar is apimachinery's (k8s.io/apimachinery/pkg/api/resource):
 *
 *   quantity       ::= signedNumber suffix
 *   signedNumber   ::= [+-] number
 *   number         ::= digits | digits "." digits | digits "." | "." digits
 *   suffix         ::= binarySI | decimalExponent | decimalSI
 *   binarySI       ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   decimalSI      ::= n | u | m | "" | k | M | G | T | P | E
 *   decimalExponent::= ("e" | "E") [+-] digits
 *
 * "E" alone is exa; "E" followed by digits is an exponent. Values come back as numbers in the
 * base unit (cores for CPU, bytes for memory); a double keeps ~15 significant digits, far more
 * than a usage number needs.
 *
 * This belongs in kubeprom's core next to its unit conversions (src/units.rs); the core has no
 * Kubernetes-quantity parser yet, so the plugin carries this one.
 */

/** A string that is not a Kubernetes quantity. */
export class QuantityError extends Error {
  readonly kind = 'invalid_argument';
  constructor(readonly input: string, reason: string) {
    super(`"${input}" is not a Kubernetes quantity: ${reason}`);
    this.name = 'QuantityError';
  }
}

const BINARY: Record<string, number> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};

/** Powers of ten of the decimal SI suffixes. */
const DECIMAL: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY =
  /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

/** Scales by a power of ten, dividing for negative powers (1234567 / 1e9 is exact where 1234567 * 1e-9 is not). */
function scale10(value: number, power: number): number {
  return power >= 0 ? value * 10 ** power : value / 10 ** -power;
}

/** The value of a Kubernetes quantity in its base unit; throws QuantityError otherwise. */
export function parseQuantity(input: unknown): number {
  if (typeof input === 'number' && Number.isFinite(input)) {
    // Quantities are strings on the wire, but JSON producers sometimes write plain numbers.
    return input;
  }
  if (typeof input !== 'string') {
    throw new QuantityError(String(input), `expected a string, got ${typeof input}`);
  }
  const m = QUANTITY.exec(input);
  if (!m) {
    throw new QuantityError(
      input,
      'expected a number with an optional suffix (n, u, m, k, M, G, T, P, E, Ki … Ei) or exponent (e3)'
    );
  }
  const [, sign, number, suffix, exponent] = m;
  const mantissa = Number(number) * (sign === '-' ? -1 : 1);
  let value: number;
  if (exponent !== undefined) {
    value = scale10(mantissa, Number(exponent));
  } else if (suffix !== undefined && suffix in BINARY) {
    value = mantissa * 2 ** BINARY[suffix];
  } else {
    value = scale10(mantissa, DECIMAL[suffix ?? '']);
  }
  if (!Number.isFinite(value)) {
    throw new QuantityError(input, 'out of range');
  }
  return value;
}
