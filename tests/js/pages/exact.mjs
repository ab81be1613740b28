// Values as text where every number (typed arrays included) is its bits, so two texts are equal
// only when the values are bit for bit: NaN equals NaN, -0 differs from 0. Imports nothing, so
// pages in the browser and tests in Node share it.

/** The bits of a float64 as hex text: equal texts only for bit-identical numbers. */
export const bits = (x) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16);
};

/** The number a Prometheus sample's text stands for (`+Inf`, `-Inf` and `NaN` included). */
export const sampleValue = (text) => (text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : text === 'NaN' ? NaN : Number(text));

/** JSON of `value` with every number as its bits. */
export const exact = (value) =>
  JSON.stringify(value, (_, v) => (typeof v === 'number' ? bits(v) : ArrayBuffer.isView(v) ? [...v].map(bits) : v));
