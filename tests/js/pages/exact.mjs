// Values as text where every number (typed arrays included) is its bits, so two texts are equal
// only when the values are bit for bit: NaN equals NaN, -0 differs from 0. Imports nothing, so
// pages in the browser and tests in Node share it.

const bits = (x) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16);
};

/** JSON of `value` with every number as its bits. */
export const exact = (value) =>
  JSON.stringify(value, (_, v) => (typeof v === 'number' ? bits(v) : ArrayBuffer.isView(v) ? [...v].map(bits) : v));
