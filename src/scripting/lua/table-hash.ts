/**
 * The hash values Lua 5.1 gives keys, so that a table's hash part has the
 * same layout as in Redis's Lua and `next`/`pairs` visit keys in the same
 * order. Strings, numbers and booleans hash as Redis's Lua hashes them (its
 * string hash reads every byte, Redis's fix for hash flooding); tables and
 * functions hash by address there, so here by a per-object serial number:
 * their order is stable but cannot match Redis's, which is not stable either.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** luaS_newlstr's hash: seeded with the length, every byte from the last. */
export function stringHash(s: string): number {
  let h = s.length;
  for (let i = s.length; i > 0; i--) {
    h = (h ^ ((h << 5) + (h >>> 2) + s.charCodeAt(i - 1))) >>> 0;
  }
  return h;
}

/** hashnum's value: the two 32-bit halves of the double added (0 and -0 are handled by the caller). */
export function numberHash(n: number): number {
  f64[0] = n;
  return (u32[0] + u32[1]) >>> 0;
}

let nextSerial = 1;
const functionSerials = new WeakMap<object, number>();

/** A stable stand-in for an object's address. */
export function objectSerial(o: object): number {
  let s = functionSerials.get(o);
  if (s === undefined) {
    s = nextSerial++ * 8;
    functionSerials.set(o, s);
  }
  return s;
}

/** A new serial for a table (kept on the table itself, cheaper than the WeakMap). */
export function newTableSerial(): number {
  return nextSerial++ * 8;
}

/** ceil(log2(x)) for x >= 1, as luaO_log2(x - 1) + 1. */
export function ceilLog2(x: number): number {
  return x <= 1 ? 0 : 32 - Math.clz32(x - 1);
}
