import type * as kubeprom from 'kubeprom';

/** The kubeprom module once its WebAssembly is instantiated. */
export type Kubeprom = typeof kubeprom;
