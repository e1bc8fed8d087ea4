/**
 * liblzf's decompressor, for the strings Redis compresses in RDB payloads
 * (rdbcompression, strings over 20 bytes). Returns null where liblzf would
 * fail: a reference before the start, or output other than `outLength`
 * bytes.
 */
export function lzfDecompress(input: Uint8Array, outLength: number): Buffer | null {
  const out = Buffer.alloc(outLength);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLength || ip + ctrl > input.length) return null;
      out.set(input.subarray(ip, ip + ctrl), op);
      ip += ctrl;
      op += ctrl;
      continue;
    }
    let len = ctrl >> 5;
    let ref = op - ((ctrl & 0x1f) << 8) - 1;
    if (len === 7) {
      if (ip >= input.length) return null;
      len += input[ip++];
    }
    if (ip >= input.length) return null;
    ref -= input[ip++];
    len += 2;
    if (op + len > outLength || ref < 0) return null;
    // Byte by byte: a reference may overlap what it produces (a run).
    for (let i = 0; i < len; i++) out[op++] = out[ref++];
  }
  return op === outLength ? out : null;
}

/** liblzf's hash table size as Redis builds it (HLOG 16). */
const HSIZE = 1 << 16;
/** The compressor's hash table, kept between calls rather than allocated and zeroed for each string (256 KiB). */
const htab = new Int32Array(HSIZE);
const slotGeneration = new Uint32Array(HSIZE);
let generation = 0;
/** The compressor's output, reused: what lzfCompress returns is a view of it, valid until the next call. */
let scratch = Buffer.allocUnsafe(1 << 16);
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** Per slot of TRIGRAM_SLOTS, the lzfMayFit call that last saw a trigram hashing there. */
const TRIGRAM_SLOTS = 1 << 12;
const trigramSeen = new Uint32Array(TRIGRAM_SLOTS);
let trigramCall = 0;

/**
 * False when lzfCompress is sure to fail for `input[o, o + n)` and
 * `maxOut`. Its output is at least a control byte, the bytes no back
 * reference covers, and two bytes per reference; a reference of L bytes
 * starts L - 2 trigrams that occurred before, past offset 0, so the
 * output takes at least n + 1 - R bytes, R the number of trigrams that
 * occur again. R is counted in a table small enough to stay in cache (a
 * collision of two trigrams' hashes counts as a repeat, never less),
 * where the compressor's own table is 512 KiB: most short strings and
 * small listpacks that a dataset holds (Redis tries every string past 20
 * bytes) repeat too little to shrink and fail here. Long inputs are left
 * to the compressor.
 */
export function lzfMayFit(input: Uint8Array, o: number, n: number, maxOut: number): boolean {
  const need = n + 1 - maxOut;
  if (need <= 0 || n > 256) return true;
  if (++trigramCall === 0xffffffff) {
    trigramSeen.fill(0);
    trigramCall = 1;
  }
  const call = trigramCall;
  let repeats = 0;
  for (let p = o + 1, end = o + n - 3; p <= end; p++) {
    const slot = Math.imul(input[p] | (input[p + 1] << 8) | (input[p + 2] << 16), 0x9e3779b1) >>> 20;
    if (trigramSeen[slot] === call) {
      if (++repeats >= need) return true;
    } else {
      trigramSeen[slot] = call;
    }
  }
  return false;
}

/**
 * liblzf's compressor as Redis configures it (VERY_FAST, HLOG 16), so that
 * the bytes match what Redis writes for the same input (Redis leaves its
 * hash table uninitialised, which can only find extra matches; this one
 * starts empty). Returns null when the output would not fit in
 * `maxOut` bytes, as lzf_compress returns 0; else a view of a buffer the
 * next call reuses.
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Buffer | null {
  const inLen = input.length;
  if (inLen === 0 || maxOut <= 0 || !lzfMayFit(input, 0, inLen, maxOut)) return null;
  if (scratch.length < maxOut) scratch = Buffer.allocUnsafe(Math.max(maxOut, 2 * scratch.length));
  const out = scratch;
  // The table outlives the call: a slot holds a position + 1 only when its generation is this call's, else it is empty.
  if (++generation === 0xffffffff) {
    slotGeneration.fill(0);
    generation = 1;
  }
  const gen = generation;
  let ip = 0;
  let op = 1;
  let lit = 0;
  let hval = ((input[0] << 8) | input[1]) >>> 0;
  const idx = (h: number): number => ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);
  // One byte into the current run of literals, which is closed (its length written before it) when full.
  const copyLiteral = (): void => {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  };
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = idx(hval);
    const ref = slotGeneration[slot] === gen ? htab[slot] - 1 : -1;
    htab[slot] = ip + 1;
    slotGeneration[slot] = gen;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      const maxlen = Math.min(inLen - ip - len, MAX_REF);
      if (op + 3 + 1 >= maxOut && op - (lit === 0 ? 1 : 0) + 3 + 1 >= maxOut) return null;
      out[op - lit - 1] = lit - 1;
      if (lit === 0) op--;
      do len++;
      while (len < maxlen && input[ref + len] === input[ip + len]);
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inLen - 2) break;
      ip -= 2;
      hval = ((input[ip] << 8) | input[ip + 1]) >>> 0;
      for (let k = 0; k < 2; k++) {
        hval = ((hval << 8) | input[ip + 2]) >>> 0;
        const h = idx(hval);
        htab[h] = ip + 1;
        slotGeneration[h] = gen;
        ip++;
      }
    } else {
      if (op >= maxOut) return null;
      copyLiteral();
    }
  }
  if (op + 3 > maxOut) return null;
  while (ip < inLen) copyLiteral();
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.subarray(0, op);
}
