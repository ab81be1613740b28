// Stand-in for unenv's globalThis polyfill; see ../vite.config.mjs.
export default globalThis;
