/*
 * Kubernetes resource quantities ("250m", "1234567n", "200Mi", "123456Ki", "1e3"), as the
 * metrics.k8s.io API reports pod usage.
 *
 * The parsing is kubeprom's (`parseQuantity`, src/quantity.rs in the core: apimachinery's
 * grammar, "E" alone is exa and "E3" an exponent, decimal scaling correctly rounded). This file
 * only adds what the plugin's callers need around it: plain JSON numbers accepted as they are,
 * and a QuantityError that keeps the input for messages.
 */
import { parseQuantity as coreParseQuantity } from 'kubeprom';

/** A value that is not a Kubernetes quantity. */
export class QuantityError extends Error {
  readonly kind = 'invalid_argument';
  constructor(readonly input: string, message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

/** The value of a Kubernetes quantity in its base unit; throws QuantityError otherwise. */
export function parseQuantity(input: unknown): number {
  if (typeof input === 'number' && Number.isFinite(input)) {
    // Quantities are strings on the wire, but JSON producers sometimes write plain numbers.
    return input;
  }
  if (typeof input !== 'string') {
    throw new QuantityError(
      String(input),
      `${String(input)} is not a Kubernetes quantity: expected a string, got ${typeof input}`
    );
  }
  try {
    return coreParseQuantity(input);
  } catch (e) {
    throw new QuantityError(input, (e as Error).message);
  }
}
