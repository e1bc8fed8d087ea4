/**
 * Redis's HyperLogLog string layout: a 16-byte header ("HYLL", the
 * encoding, three zero bytes, the cached cardinality as 8 bytes little
 * endian whose top bit marks it stale), then either 16384 six-bit
 * registers packed little-endian (dense, 12288 bytes) or the sparse
 * opcodes (hll-sparse.ts).
 */

export const HEADER = 16;
export const REGISTERS = 16384;
export const DENSE_SIZE = HEADER + (REGISTERS * 6) / 8;
export const DENSE = 0;
export const SPARSE = 1;
/** Registers hold pattern lengths up to 51 (64 - 14 + 1); the histogram has room for any six-bit value. */
const Q = 50;

export const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
export const CORRUPT = 'INVALIDOBJ Corrupted HLL object detected';

export function cacheValid(b: Uint8Array): boolean {
  return (b[15] & 0x80) === 0;
}

export function invalidateCache(b: Uint8Array): void {
  b[15] |= 0x80;
}

/** The cached cardinality (valid cache: the top bit is clear, so it fits a double exactly below 2^53). */
export function cachedCount(b: Uint8Array): number {
  let n = 0;
  for (let i = 15; i >= 8; i--) n = n * 256 + b[i];
  return n;
}

export function setCachedCount(b: Uint8Array, n: number): void {
  for (let i = 8; i < 16; i++) {
    b[i] = n % 256;
    n = Math.floor(n / 256);
  }
}

/** Register `i` of a dense body starting at `at` (the byte past the last register reads as 0, as Redis's sds terminator). */
export function denseGet(b: Uint8Array, at: number, i: number): number {
  const bit = i * 6;
  const byte = at + (bit >>> 3);
  const shift = bit & 7;
  const next = byte + 1 < b.length ? b[byte + 1] : 0;
  return ((b[byte] >>> shift) | (next << (8 - shift))) & 63;
}

export function denseSet(b: Uint8Array, at: number, i: number, v: number): void {
  const bit = i * 6;
  const byte = at + (bit >>> 3);
  const shift = bit & 7;
  b[byte] = (b[byte] & ~(63 << shift)) | ((v << shift) & 0xff);
  if (shift > 2) b[byte + 1] = (b[byte + 1] & ~(63 >>> (8 - shift))) | (v >>> (8 - shift));
}

/**
 * Scratch counters, shared: a command counts one HLL or one union at a
 * time. Each typed array is an ArrayBuffer of its own, and made per count
 * (with a union's 16 KiB of registers) they were what made V8 collect under
 * PFCOUNT of several keys.
 */
const LANES = new Int32Array(4 * 64);
const HISTO = new Float64Array(64);

/** The shared histogram, zeroed, to count into. */
export function freshHistogram(): Float64Array {
  HISTO.fill(0);
  return HISTO;
}

/** The shared lanes (four of 64 counters), zeroed; see denseHistogram. */
export function freshLanes(): Int32Array {
  LANES.fill(0);
  return LANES;
}

/** Adds what four lanes of 64 counters hold to `histo`. */
export function addLanes(lanes: Int32Array, histo: Float64Array): void {
  for (let v = 0; v < 64; v++) histo[v] += lanes[v] + lanes[64 + v] + lanes[128 + v] + lanes[192 + v];
}

/**
 * Counts registers by value over a dense body, four registers from each
 * three bytes (a register at a time is four times slower), each of the four
 * into its own lane of 64 counters: one histogram would make every
 * increment wait on the last one to the same counter, and most registers
 * hold one of a few values.
 */
export function denseHistogram(b: Uint8Array, at: number, histo: Float64Array): void {
  const lanes = freshLanes();
  const end = at + (REGISTERS * 6) / 8;
  for (let p = at; p < end; p += 3) {
    const b0 = b[p];
    const b1 = b[p + 1];
    const b2 = b[p + 2];
    lanes[b0 & 63]++;
    lanes[64 + (((b0 >>> 6) | (b1 << 2)) & 63)]++;
    lanes[128 + (((b1 >>> 4) | (b2 << 4)) & 63)]++;
    lanes[192 + (b2 >>> 2)]++;
  }
  addLanes(lanes, histo);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let prev: number;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (prev !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let prev: number;
  do {
    x = Math.sqrt(x);
    prev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (prev !== z);
  return z / 3;
}

const ALPHA_INF = 0.721347520444481703680;

/**
 * Redis's cardinality estimate from the register histogram (Ertl's
 * improved estimator, "New cardinality estimation algorithms for
 * HyperLogLog sketches"), with Redis's operations in Redis's order so
 * that the double arithmetic rounds the same way.
 */
export function estimate(histo: Float64Array): number {
  const m = REGISTERS;
  let z = m * tau((m - histo[Q + 1]) / m);
  for (let j = Q; j >= 1; j--) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  // llroundl: halves away from zero (the estimate is positive).
  return Math.round((ALPHA_INF * m * m) / z);
}
