import { byteString } from '../../protocol/byte-string.js';
import { backlenSize, intEntrySize, stringEntrySize } from '../../queues/list/listpack-size.js';
import { readBacklen } from './listpack.js';

/**
 * A listpack's entries re-encoded, in one pass over its bytes, as the
 * packed string (compact/packed.ts) that a small hash, set or list keeps
 * them in: what loading a dataset of small collections does for each one.
 * Read entry by entry instead (a string per entry, an array of them, then
 * a string per length prefix and a join), a collection of three pairs left
 * about a dozen objects behind, and small collections were the slower
 * three tenths of a mixed dataset's load.
 *
 * Only the well-formed common case is taken: anything else (a bad length,
 * a 64-bit integer, more entries than the caller takes, a duplicate) gives
 * null, and the caller reads the listpack entry by entry, which decides
 * and names every error exactly as before.
 */
export interface PackedEntries {
  /** The entries as a Packed string. */
  packed: string;
  count: number;
  /** The longest entry's length (an integer's in decimal). */
  longest: number;
  /** The entries' lengths together. */
  bytes: number;
  /**
   * What the entries take as a listpack written by Redis (lpAppend's
   * encodings, listpack-size.ts), or -1 when an entry is a string that
   * Redis would have stored as an integer.
   */
  listpackBytes: number;
}

/**
 * Longer listpacks are left to the entry-by-entry path: no collection that
 * stays packed comes near it (a cold list holds 8 KiB at most), and the
 * output buffer, four times the input, is kept between calls.
 */
const MAX_INPUT = 64 * 1024;
const HEADER = 6;
const EOF = 0xff;
const UNKNOWN_COUNT = 65535;

/** The output, its entries' starts and hashes, kept between calls: a load makes a million of them. */
let out = Buffer.allocUnsafe(4096);
let starts = new Int32Array(256);
let hashes = new Int32Array(256);
const result: PackedEntries = { packed: '', count: 0, longest: 0, bytes: 0, listpackBytes: 0 };
const digits = Buffer.allocUnsafe(24);

/**
 * The entries of listpack `lp` as a Packed string, or null (see above).
 * At most `maxEntries` are taken. `distinct` names the entries that must
 * differ from one another: every entry (1), every other one from the first
 * (2: a hash's fields), or none (0). The result is shared: read it before
 * the next call.
 */
export function packListpack(lp: Buffer, maxEntries: number, distinct: 0 | 1 | 2): PackedEntries | null {
  const last = lp.length - 1;
  if (last < HEADER || lp.length > MAX_INPUT || lp.readUInt32LE(0) !== lp.length || lp[last] !== EOF) return null;
  const declared = lp.readUInt16LE(4);
  // An integer entry of n bytes becomes at most 4n: its longest decimal form and a length prefix.
  if (out.length < 4 * lp.length) out = Buffer.allocUnsafe(4 * lp.length);
  const o = out;
  let w = 0;
  let count = 0;
  let longest = 0;
  let bytes = 0;
  let listpackBytes = 0;
  let p = HEADER;
  while (p < last) {
    if (count === maxEntries) return null;
    const b = lp[p];
    let head: number;
    let len = -1;
    let int = 0;
    if (b < 0x80) {
      head = 1;
      int = b;
    } else if ((b & 0xc0) === 0x80) {
      head = 1;
      len = b & 0x3f;
    } else if ((b & 0xe0) === 0xc0) {
      head = 2;
      const u = ((b & 0x1f) << 8) | lp[p + 1];
      int = u >= 4096 ? u - 8192 : u;
    } else if ((b & 0xf0) === 0xe0) {
      head = 2;
      len = ((b & 0x0f) << 8) | lp[p + 1];
    } else if (b >= 0xf1 && b <= 0xf3) {
      const size = b - 0xef;
      head = 1 + size;
      if (p + head > last) return null;
      int = lp.readIntLE(p + 1, size);
    } else {
      return null;
    }
    const entryLen = len < 0 ? head : head + len;
    if (entryLen > last - p) return null;
    if (count === starts.length) {
      starts = grow(starts);
      hashes = grow(hashes);
    }
    starts[count] = w;
    let h = 0x811c9dc5;
    if (len < 0) {
      if (listpackBytes >= 0) listpackBytes += intEntrySize(int);
      len = decimal(int);
      o[w++] = len;
      for (let i = 0; i < len; i++) {
        const c = digits[i];
        o[w++] = c;
        h = Math.imul(h ^ c, 0x01000193);
      }
    } else {
      listpackBytes = listpackBytes < 0 || readsAsInt(lp, p + head, len) ? -1 : listpackBytes + stringEntrySize(len);
      let n = len;
      while (n >= 128) {
        o[w++] = 128 + (n & 127);
        n >>>= 7;
      }
      o[w++] = n;
      for (let i = p + head, end = i + len; i < end; i++) {
        const c = lp[i];
        o[w++] = c;
        h = Math.imul(h ^ c, 0x01000193);
      }
    }
    hashes[count] = h ^ len;
    count++;
    if (len > longest) longest = len;
    bytes += len;
    p += entryLen;
    const n = backlenSize(entryLen);
    if (n > last - p || readBacklen(lp, p, n) !== entryLen) return null;
    p += n;
  }
  if (p !== last || (declared !== UNKNOWN_COUNT && declared !== count)) return null;
  if (distinct !== 0 && repeats(count, distinct)) return null;
  result.packed = w <= 16 ? byteString(o, 0, w) : o.latin1Slice(0, w);
  result.count = count;
  result.longest = longest;
  result.bytes = bytes;
  result.listpackBytes = listpackBytes;
  return result;
}

/** Whether `len` bytes at `at` could be a string that string2ll reads (a digit or a minus first, at most 20): the exact test is left to the slow path. */
function readsAsInt(lp: Buffer, at: number, len: number): boolean {
  const c = lp[at];
  return len !== 0 && len <= 20 && (c === 45 || (c >= 48 && c <= 57));
}

function grow(a: Int32Array) {
  const b = new Int32Array(2 * a.length);
  b.set(a);
  return b;
}

/** Writes `v` in decimal into `digits`; returns its length. */
function decimal(v: number): number {
  let n = 0;
  if (v < 0) {
    digits[n++] = 45;
    v = -v;
  }
  const from = n;
  do {
    digits[n++] = 48 + (v % 10);
    v = Math.floor(v / 10);
  } while (v !== 0);
  for (let i = from, j = n - 1; i < j; i++, j--) {
    const t = digits[i];
    digits[i] = digits[j];
    digits[j] = t;
  }
  return n;
}

/** Whether two of the first `count` entries written, taken every `step`th, are the same bytes. */
function repeats(count: number, step: number): boolean {
  for (let i = step; i < count; i += step) {
    for (let j = 0; j < i; j += step) {
      if (hashes[i] === hashes[j] && sameEntry(starts[i], starts[j])) return true;
    }
  }
  return false;
}

/** Whether the written entries at `a` and `b` are equal (their prefixes hold their lengths). */
function sameEntry(a: number, b: number): boolean {
  const end = entryEnd(a);
  if (end - a !== entryEnd(b) - b) return false;
  for (let i = 0; i < end - a; i++) if (out[a + i] !== out[b + i]) return false;
  return true;
}

function entryEnd(at: number): number {
  let len = 0;
  let shift = 1;
  for (;;) {
    const c = out[at++];
    if (c < 128) return at + len + c * shift;
    len += (c - 128) * shift;
    shift *= 128;
  }
}
