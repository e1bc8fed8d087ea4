/**
 * A process-wide random seed, so that which members collide differs from
 * one server to the next (Redis seeds its SipHash the same way). Murmur3 is
 * not a keyed hash: someone who can study the function can still build
 * members that collide whatever the seed, as with V8's own string hash that
 * every Map in the process uses.
 */
const SEED = (Math.random() * 4294967296) >>> 0;

function mixWord(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** One 4-byte block of MurmurHash3's body folded into `h`. */
function round(h: number, k: number): number {
  h ^= mixWord(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's tail (`k`, the last 1-3 bytes, 0 for none) and finalisation, for `n` bytes in all. */
function finish(h: number, k: number, n: number): number {
  if ((n & 3) !== 0) h ^= mixWord(k);
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** MurmurHash3 (x86, 32-bit) of a byte string (one char per byte), seeded per process. */
export function hashMember(s: string): number {
  const n = s.length;
  let h = SEED;
  let i = 0;
  for (const end = n & ~3; i < end; i += 4) h = round(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24));
  const rest = n & 3;
  let k = 0;
  if (rest !== 0) {
    k = s.charCodeAt(i);
    if (rest > 1) k |= s.charCodeAt(i + 1) << 8;
    if (rest > 2) k |= s.charCodeAt(i + 2) << 16;
  }
  return finish(h, k, n);
}

/** hashMember of the byte string that `b[o, o + n)` spells, without making the string (a load's keys arrive as bytes). */
export function hashBytes(b: Uint8Array, o: number, n: number): number {
  let h = SEED;
  let i = o;
  for (const end = o + (n & ~3); i < end; i += 4) h = round(h, b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
  const rest = n & 3;
  let k = 0;
  if (rest !== 0) {
    k = b[i];
    if (rest > 1) k |= b[i + 1] << 8;
    if (rest > 2) k |= b[i + 2] << 16;
  }
  return finish(h, k, n);
}
