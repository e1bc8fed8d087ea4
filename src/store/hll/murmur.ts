/**
 * MurmurHash64A, the hash Redis's HyperLogLog uses (seed 0xadc83b19), on
 * 32-bit words. Products go through 16-bit limbs whose partial sums stay
 * below 2^32 for this multiplier, and results land in an Int32Array: BigInt
 * arithmetic, or uint32 values kept in variables, would allocate on every
 * step of every element added.
 */

/** The multiplier 0xc6a4a7935bd1e995 in 16-bit limbs, lowest first. */
const M0 = 0xe995;
const M1 = 0x5bd1;
const M2 = 0xa793;
const M3 = 0xc6a4;

/** The last product or hash: [high word, low word]. */
const R = new Int32Array(2);

/** R = (hi, lo) × M, modulo 2^64. */
function mulM(hi: number, lo: number): void {
  const x0 = lo & 0xffff;
  const x1 = lo >>> 16;
  const x2 = hi & 0xffff;
  const x3 = hi >>> 16;
  let c = x0 * M0;
  const r0 = c & 0xffff;
  c = (c >>> 16) + x1 * M0;
  let r1 = c & 0xffff;
  let carry = c >>> 16;
  c = r1 + x0 * M1;
  r1 = c & 0xffff;
  carry += c >>> 16;
  c = carry + x2 * M0;
  let r2 = c & 0xffff;
  carry = c >>> 16;
  c = r2 + x1 * M1;
  r2 = c & 0xffff;
  carry += c >>> 16;
  c = r2 + x0 * M2;
  r2 = c & 0xffff;
  carry += c >>> 16;
  const r3 = (carry + x3 * M0 + x2 * M1 + x1 * M2 + x0 * M3) & 0xffff;
  R[1] = r0 | (r1 << 16);
  R[0] = r2 | (r3 << 16);
}

function word(s: string, i: number): number {
  return s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
}

/** Leaves the hash of a byte string in R. */
function hash(s: string, seed: number): void {
  const len = s.length;
  mulM(0, len);
  let hi = R[0];
  let lo = R[1] ^ seed;
  const whole = len - (len & 7);
  for (let i = 0; i < whole; i += 8) {
    mulM(word(s, i + 4), word(s, i));
    const kHi = R[0];
    mulM(kHi, R[1] ^ (kHi >>> 15));
    mulM(hi ^ R[0], lo ^ R[1]);
    hi = R[0];
    lo = R[1];
  }
  const rest = len & 7;
  if (rest > 0) {
    let tHi = 0;
    let tLo = 0;
    for (let k = rest - 1; k >= 0; k--) {
      const b = s.charCodeAt(whole + k);
      if (k >= 4) tHi |= b << (8 * (k - 4));
      else tLo |= b << (8 * k);
    }
    mulM(hi ^ tHi, lo ^ tLo);
    hi = R[0];
    lo = R[1];
  }
  mulM(hi, lo ^ (hi >>> 15));
  R[1] ^= R[0] >>> 15;
}

/** The 64-bit hash of a byte string, as [high 32 bits, low 32 bits], unsigned. */
export function murmurHash64A(s: string, seed: number): [number, number] {
  hash(s, seed);
  return [R[0] >>> 0, R[1] >>> 0];
}

const SEED = 0xadc83b19;

/** The register and pattern length of the hash in R (Redis's hllPatLen). */
function pattern(): { index: number; count: number } {
  const h = R[0];
  const l = R[1];
  const index = l & 0x3fff;
  const low = l >>> 14;
  let count: number;
  if (low !== 0) count = 32 - Math.clz32(low & -low);
  else if (h !== 0) count = 18 + 32 - Math.clz32(h & -h);
  else count = 51;
  return { index, count };
}

/**
 * The register an element falls in (the hash's low 14 bits) and the
 * length of the 0…01 pattern that follows them, 1 to 51.
 */
export function patternOf(element: string): { index: number; count: number } {
  hash(element, SEED);
  return pattern();
}

/**
 * patternOf for an 8-byte element given as its two little-endian 32-bit
 * words (PFSELFTEST's integers), without making a string of it.
 */
export function patternOfWords(lo: number, hi: number): { index: number; count: number } {
  mulM(0, 8);
  const hHi = R[0];
  const hLo = R[1] ^ SEED;
  mulM(hi, lo);
  const kHi = R[0];
  mulM(kHi, R[1] ^ (kHi >>> 15));
  mulM(hHi ^ R[0], hLo ^ R[1]);
  const fHi = R[0];
  mulM(fHi, R[1] ^ (fHi >>> 15));
  R[1] ^= R[0] >>> 15;
  return pattern();
}
