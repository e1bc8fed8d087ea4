import { DENSE, DENSE_SIZE, HEADER, REGISTERS, denseSet } from './hll-format.js';

/**
 * The sparse encoding: runs of registers as opcodes, ZERO (00llllll: 1-64
 * zeros), XZERO (01llllll llllllll: 1-16384 zeros), VAL (1vvvvvll: 1-4
 * registers of value 1-32). The same byte sequences as Redis produces, so
 * that a value copied between Sluice and Redis reads the same on both.
 */

const ZERO_MAX = 64;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const XZERO_MAX = 16384;

const isZero = (op: number) => (op & 0xc0) === 0;
const isXZero = (op: number) => (op & 0xc0) === 0x40;
const isVal = (op: number) => (op & 0x80) !== 0;
const zeroLen = (op: number) => (op & 0x3f) + 1;
const xzeroLen = (op: number, next: number) => (((op & 0x3f) << 8) | next) + 1;
const valValue = (op: number) => ((op >>> 2) & 0x1f) + 1;
const valLen = (op: number) => (op & 3) + 1;
const val = (value: number, len: number) => 0x80 | ((value - 1) << 2) | (len - 1);

/** An HLL's bytes while a command works on them: a buffer and the length in use, so sparse edits can grow and shrink it. */
export class HllBytes {
  constructor(
    public buf: Buffer,
    public len: number,
  ) {}

  get bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  get encoding(): number {
    return this.buf[4];
  }

  /** Room for `n` bytes, keeping the first `len`. */
  reserve(n: number): void {
    if (this.buf.length >= n) return;
    const next = Buffer.alloc(Math.max(n, 2 * this.buf.length));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** A new, empty HLL: sparse, one XZERO covering every register, cached count 0 (Redis's createHLLObject). */
export function emptyHll(): HllBytes {
  const b = Buffer.alloc(HEADER + 2);
  b.write('HYLL', 0, 'latin1');
  b[4] = 1;
  b[HEADER] = 0x40 | ((XZERO_MAX - 1) >>> 8);
  b[HEADER + 1] = (XZERO_MAX - 1) & 0xff;
  return new HllBytes(b, HEADER + 2);
}

/**
 * Calls `run(first, count, value)` for each VAL opcode of a sparse body,
 * in order; returns the number of registers covered, which is 16384 unless
 * the value is corrupt. Like Redis 7.2's readers (hllMerge,
 * hllSparseToDense) it stops before a VAL run that would pass the last
 * register, and counts only the registers before it: a body that reaches
 * 16384 exactly and then has such a VAL passes as valid.
 */
export function eachRun(b: Uint8Array, end: number, run: (first: number, count: number, value: number) => void): number {
  let idx = 0;
  for (let p = HEADER; p < end; ) {
    const op = b[p];
    if (isZero(op)) {
      idx += zeroLen(op);
      p++;
    } else if (isXZero(op)) {
      idx += xzeroLen(op, p + 1 < end ? b[p + 1] : 0);
      p += 2;
    } else {
      const n = valLen(op);
      if (idx + n > REGISTERS) break;
      run(idx, n, valValue(op));
      idx += n;
      p++;
    }
  }
  return idx;
}

/** Counts registers by value over a sparse body, as Redis's hllSparseRegHisto (corrupt when the runs do not cover 16384). */
export function sparseHistogram(b: Uint8Array, end: number, histo: Float64Array): boolean {
  let idx = 0;
  for (let p = HEADER; p < end; ) {
    const op = b[p];
    if (isZero(op)) {
      const n = zeroLen(op);
      idx += n;
      histo[0] += n;
      p++;
    } else if (isXZero(op)) {
      const n = xzeroLen(op, p + 1 < end ? b[p + 1] : 0);
      idx += n;
      histo[0] += n;
      p += 2;
    } else {
      const n = valLen(op);
      idx += n;
      histo[valValue(op)] += n;
      p++;
    }
  }
  return idx === REGISTERS;
}

/** Rewrites a sparse HLL as dense, header (and cached count) kept; false if the runs are corrupt. */
export function toDense(h: HllBytes): boolean {
  if (h.encoding === DENSE) return true;
  const dense = Buffer.alloc(DENSE_SIZE);
  h.buf.copy(dense, 0, 0, HEADER);
  dense[4] = DENSE;
  const covered = eachRun(h.buf, h.len, (first, count, value) => {
    for (let i = first; i < first + count; i++) denseSet(dense, HEADER, i, value);
  });
  if (covered !== REGISTERS) return false;
  h.buf = dense;
  h.len = DENSE_SIZE;
  return true;
}

/** Writes an XZERO or ZERO opcode for `n` zeros into `seq` at `at`; returns the new end. */
function zeros(seq: number[], n: number): void {
  if (n > ZERO_MAX) seq.push(0x40 | ((n - 1) >>> 8), (n - 1) & 0xff);
  else seq.push(n - 1);
}

/**
 * Raises register `index` to `count` in a sparse HLL, as Redis's
 * hllSparseSet does it byte for byte: the opcode covering the register is
 * split, neighbouring equal VALs are merged, and the HLL turns dense when
 * the value does not fit a VAL or the body would pass `maxBytes`.
 * Returns 1 when the register rose, 0 when it was already as high, -1 for
 * a corrupt value.
 */
export function sparseSet(h: HllBytes, index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(h, index, count);
  const b = h.buf;
  let end = h.len;
  let p = HEADER;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p];
    let opLen = 1;
    if (isZero(op)) span = zeroLen(op);
    else if (isVal(op)) span = valLen(op);
    else {
      span = xzeroLen(op, p + 1 < end ? b[p + 1] : 0);
      opLen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += opLen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p];
  const zero = isZero(op);
  const xzero = isXZero(op);
  const runLen = zero ? zeroLen(op) : xzero ? xzeroLen(op, b[p + 1]) : valLen(op);
  let updated = false;
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0;
    if (runLen === 1) {
      b[p] = val(count, 1);
      updated = true;
    }
  }
  if (!updated && zero && runLen === 1) {
    b[p] = val(count, 1);
    updated = true;
  }
  if (!updated) {
    const seq: number[] = [];
    const last = first + span - 1;
    if (zero || xzero) {
      if (index !== first) zeros(seq, index - first);
      seq.push(val(count, 1));
      if (index !== last) zeros(seq, last - index);
    } else {
      const current = valValue(op);
      if (index !== first) seq.push(val(current, index - first));
      seq.push(val(count, 1));
      if (index !== last) seq.push(val(current, last - index));
    }
    const oldLen = xzero ? 2 : 1;
    const delta = seq.length - oldLen;
    if (delta > 0 && h.len + delta > maxBytes) return promote(h, index, count);
    h.reserve(h.len + Math.max(delta, 0));
    const buf = h.buf;
    const next = p + oldLen;
    if (delta !== 0 && next < end) buf.copyWithin(next + delta, next, end);
    h.len += delta;
    end += delta;
    for (let i = 0; i < seq.length; i++) buf[p + i] = seq[i];
  }
  mergeAround(h, prev === -1 ? HEADER : prev, end);
  return 1;
}

/** Merges adjacent VALs of equal value (up to 4 registers) among the five opcodes from `from`, as Redis's step 4. */
function mergeAround(h: HllBytes, from: number, end: number): void {
  const b = h.buf;
  let p = from;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const op = b[p];
    if (isXZero(op)) {
      p += 2;
      continue;
    }
    if (isZero(op)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1])) {
      const v = valValue(op);
      const len = valLen(op) + valLen(b[p + 1]);
      if (v === valValue(b[p + 1]) && len <= VAL_MAX_LEN) {
        b[p + 1] = val(v, len);
        b.copyWithin(p, p + 1, end);
        h.len--;
        end--;
        continue;
      }
    }
    p++;
  }
}

function promote(h: HllBytes, index: number, count: number): number {
  if (!toDense(h)) return -1;
  denseSet(h.buf, HEADER, index, count);
  return 1;
}

/** PFDEBUG DECODE's listing of a sparse body: `z:len`, `Z:len` (XZERO), `v:value,len`, space separated. */
export function describeSparse(b: Uint8Array): string {
  const parts: string[] = [];
  for (let p = HEADER; p < b.length; ) {
    const op = b[p];
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXZero(op)) {
      parts.push(`Z:${xzeroLen(op, p + 1 < b.length ? b[p + 1] : 0)}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return parts.join(' ');
}
