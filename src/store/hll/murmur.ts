/**
 * MurmurHash64A, the hash Redis's HyperLogLog uses (seed 0xadc83b19), on
 * 32-bit words held in locals. A 64-bit product modulo 2^64 by M is
 * Math.imul for the low word; the high word adds two more Math.imul to the
 * carry out of low × low, which goes through 16-bit halves whose products
 * and partial sums stay below 2^32. Each product is written out where it is
 * needed (the four lines marked `× M`): inside PFADD, V8 inlined no helper
 * for it, and a helper that returns a word boxes it (a word is rarely a
 * small integer), while one that stores into a typed array made every step
 * a store and a load. Written out, an element of 14 bytes hashes in about
 * 55 ns, against 100 with the helper. The hash lands in an Int32Array.
 */

const M_HI = 0xc6a4a793 | 0;
const M_LO = 0x5bd1e995;

/** The last hash: [high word, low word]. */
const R = new Int32Array(2);

/** Leaves the hash of a byte string in R. */
function hash(s: string, seed: number): void {
  const len = s.length;
  // h = seed ^ len × M
  let t = (len & 0xffff) * 0xe995;
  let u = (len >>> 16) * 0xe995 + (t >>> 16);
  let w = (len & 0xffff) * 0x5bd1 + (u & 0xffff);
  let hi = ((len >>> 16) * 0x5bd1 + (u >>> 16) + (w >>> 16) + Math.imul(len, M_HI)) | 0;
  let lo = Math.imul(len, M_LO) ^ seed;
  const whole = len - (len & 7);
  for (let i = 0; i < whole; i += 8) {
    let kHi = s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24);
    let kLo = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    // k × M
    t = (kLo & 0xffff) * 0xe995;
    u = (kLo >>> 16) * 0xe995 + (t >>> 16);
    w = (kLo & 0xffff) * 0x5bd1 + (u & 0xffff);
    kHi = ((kLo >>> 16) * 0x5bd1 + (u >>> 16) + (w >>> 16) + Math.imul(kLo, M_HI) + Math.imul(kHi, M_LO)) | 0;
    kLo = Math.imul(kLo, M_LO) ^ (kHi >>> 15);
    // k × M
    t = (kLo & 0xffff) * 0xe995;
    u = (kLo >>> 16) * 0xe995 + (t >>> 16);
    w = (kLo & 0xffff) * 0x5bd1 + (u & 0xffff);
    kHi = ((kLo >>> 16) * 0x5bd1 + (u >>> 16) + (w >>> 16) + Math.imul(kLo, M_HI) + Math.imul(kHi, M_LO)) | 0;
    kLo = Math.imul(kLo, M_LO);
    hi ^= kHi;
    lo ^= kLo;
    // h × M
    t = (lo & 0xffff) * 0xe995;
    u = (lo >>> 16) * 0xe995 + (t >>> 16);
    w = (lo & 0xffff) * 0x5bd1 + (u & 0xffff);
    hi = ((lo >>> 16) * 0x5bd1 + (u >>> 16) + (w >>> 16) + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) | 0;
    lo = Math.imul(lo, M_LO);
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let k = rest - 1; k >= 0; k--) {
      const b = s.charCodeAt(whole + k);
      if (k >= 4) hi ^= b << (8 * (k - 4));
      else lo ^= b << (8 * k);
    }
    // h × M
    t = (lo & 0xffff) * 0xe995;
    u = (lo >>> 16) * 0xe995 + (t >>> 16);
    w = (lo & 0xffff) * 0x5bd1 + (u & 0xffff);
    hi = ((lo >>> 16) * 0x5bd1 + (u >>> 16) + (w >>> 16) + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) | 0;
    lo = Math.imul(lo, M_LO);
  }
  finish(hi, lo);
}

/** The last steps, h ^= h >> 47; h × M; h ^= h >> 47, into R. */
function finish(hi: number, lo: number): void {
  lo ^= hi >>> 15;
  // h × M
  const t = (lo & 0xffff) * 0xe995;
  const u = (lo >>> 16) * 0xe995 + (t >>> 16);
  const w = (lo & 0xffff) * 0x5bd1 + (u & 0xffff);
  hi = ((lo >>> 16) * 0x5bd1 + (u >>> 16) + (w >>> 16) + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) | 0;
  R[0] = hi;
  R[1] = Math.imul(lo, M_LO) ^ (hi >>> 15);
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
 * words (PFSELFTEST's integers).
 */
export function patternOfWords(lo: number, hi: number): number {
  return patternOf(
    String.fromCharCode(lo & 255, (lo >>> 8) & 255, (lo >>> 16) & 255, lo >>> 24, hi & 255, (hi >>> 8) & 255, (hi >>> 16) & 255, hi >>> 24),
  );
}
