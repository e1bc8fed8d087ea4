/**
 * MurmurHash64A, the hash Redis's HyperLogLog uses (seed 0xadc83b19), on
 * 32-bit words. A 64-bit product modulo 2^64 is Math.imul for the low
 * word; the high word adds two more Math.imul to the carry out of
 * low × low, which goes through 16-bit halves whose products and partial
 * sums stay below 2^32. Products land in an Int32Array: BigInt
 * arithmetic would allocate on every step, and so would a helper that
 * returns a word, whenever V8 does not inline it (a word is rarely a
 * small integer), as happens inside PFADD.
 */

const M_HI = 0xc6a4a793 | 0;
const M_LO = 0x5bd1e995;

/** The last product or hash: [high word, low word]. */
const R = new Int32Array(2);

/** R = (hi, lo) × M, modulo 2^64. */
function mulM(hi: number, lo: number): void {
  const aH = lo >>> 16;
  const aL = lo & 0xffff;
  const ll = aL * 0xe995;
  const hl = aH * 0xe995 + (ll >>> 16);
  const lh = aL * 0x5bd1 + (hl & 0xffff);
  const carry = aH * 0x5bd1 + (hl >>> 16) + (lh >>> 16);
  R[1] = Math.imul(lo, M_LO);
  R[0] = carry + Math.imul(lo, M_HI) + Math.imul(hi, M_LO);
}

/** Leaves the hash of a byte string in R. */
function hash(s: string, seed: number): void {
  const len = s.length;
  mulM(0, len);
  let hi = R[0];
  let lo = R[1] ^ seed;
  const whole = len - (len & 7);
  for (let i = 0; i < whole; i += 8) {
    // The block's words are read here, not by a helper: a word is rarely a small integer, and a helper
    // V8 did not inline (it did not, inside PFADD) boxed every one it returned.
    mulM(
      s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24),
      s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24),
    );
    const kHi = R[0];
    mulM(kHi, R[1] ^ (kHi >>> 15));
    mulM(hi ^ R[0], lo ^ R[1]);
    hi = R[0];
    lo = R[1];
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let k = rest - 1; k >= 0; k--) {
      const b = s.charCodeAt(whole + k);
      if (k >= 4) hi ^= b << (8 * (k - 4));
      else lo ^= b << (8 * k);
    }
    mulM(hi, lo);
    hi = R[0];
    lo = R[1];
  }
  finish(hi, lo);
}

/** The last steps, h ^= h >> 47; h *= M; h ^= h >> 47, into R. */
function finish(hi: number, lo: number): void {
  mulM(hi, lo ^ (hi >>> 15));
  R[1] ^= R[0] >>> 15;
}

/** The 64-bit hash of a byte string, as [high 32 bits, low 32 bits], unsigned. */
export function murmurHash64A(s: string, seed: number): [number, number] {
  hash(s, seed);
  return [R[0] >>> 0, R[1] >>> 0];
}

const SEED = 0xadc83b19;

/**
 * The register and pattern length of the hash in R (Redis's hllPatLen),
 * packed in one small integer, (count << 14) | register, so that no object
 * is made per element when V8 does not inline the caller.
 */
function pattern(): number {
  const h = R[0];
  const l = R[1];
  const low = l >>> 14;
  let count: number;
  if (low !== 0) count = 32 - Math.clz32(low & -low);
  else if (h !== 0) count = 18 + 32 - Math.clz32(h & -h);
  else count = 51;
  return (count << 14) | (l & 0x3fff);
}

/** The register of a packed pattern: the hash's low 14 bits. */
export function patternIndex(p: number): number {
  return p & 0x3fff;
}

/** The length of the 0…01 pattern after the register bits, 1 to 51. */
export function patternCount(p: number): number {
  return p >>> 14;
}

/** The packed pattern of an element (see pattern). */
export function patternOf(element: string): number {
  hash(element, SEED);
  return pattern();
}

/**
 * patternOf for an 8-byte element given as its two little-endian 32-bit
 * words (PFSELFTEST's integers), without making a string of it.
 */
export function patternOfWords(lo: number, hi: number): number {
  mulM(0, 8);
  const hHi = R[0];
  const hLo = R[1] ^ SEED;
  mulM(hi, lo);
  const kHi = R[0];
  mulM(kHi, R[1] ^ (kHi >>> 15));
  mulM(hHi ^ R[0], hLo ^ R[1]);
  finish(R[0], R[1]);
  return pattern();
}
