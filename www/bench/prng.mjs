// A seeded PRNG (mulberry32), for inputs that must be the same on every run: the benchmark
// bodies (generate.mjs, in Node) and the soak page's rotation (tests/soak/page.mjs, in a
// browser), so it imports nothing.

/** A function returning uniform numbers in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
