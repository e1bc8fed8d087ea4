import { smallInt, toInt64 } from '../../codecs/integer-text.js';

/**
 * What Redis's listpack format would spend on a list, and the node limits
 * list-max-listpack-size sets, so that OBJECT ENCODING can say "listpack"
 * or "quicklist" where Redis 7.2 does.
 */

/** A listpack's header (total bytes, element count) and end byte. */
export const LISTPACK_EMPTY = 7;
/** The byte limit of list-max-listpack-size -2, the default. */
export const LISTPACK_LIMIT = 8192;
/** list-max-listpack-size's negative settings: -1 to -5 cap a node at 4 to 64 KiB (below -5, as -5). */
const SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** A node capped by count still stops at 8 KiB when it grows (SIZE_SAFETY_LIMIT). */
const SAFETY_LIMIT = 8192;

/** The bytes a node may hold under `fill` (list-max-listpack-size); Infinity when `fill` counts entries. */
function nodeByteLimit(fill: number): number {
  return fill < 0 ? SIZE_LIMITS[Math.min(-fill, SIZE_LIMITS.length) - 1] : Infinity;
}

/** The entries a node may hold under `fill`; Infinity when `fill` limits bytes. 0 counts as 1, so that a node holds something. */
function nodeCountLimit(fill: number): number {
  return fill < 0 ? Infinity : Math.max(fill, 1);
}

/** Redis's quicklistNodeExceedsLimit: whether a listpack of `bytes` and `count` entries is more than one node under `fill`. */
export function exceedsNode(fill: number, bytes: number, count: number): boolean {
  if (fill < 0) return bytes > nodeByteLimit(fill);
  return bytes > SAFETY_LIMIT || count > nodeCountLimit(fill);
}

/** What Redis adds to an element's length when it asks whether a node can take it (SIZE_ESTIMATE_OVERHEAD). */
const ESTIMATE_OVERHEAD = 8;

/**
 * Where a quicklist's nodes end for elements pushed from the tail, as
 * Redis's quicklist splits them: a node takes an element while its listpack
 * bytes plus the element's length and 8 stay within the node limit.
 * `each` calls its argument with every element in order.
 */
export function nodeEnds(each: (take: (e: string) => void) => void, fill: number): number[] {
  const split = new NodeSplit(fill);
  each(split.take);
  return split.ends();
}

/** nodeEnds fed an element at a time, for a caller that reads the elements over several turns (a background save). */
export class NodeSplit {
  private readonly found: number[] = [];
  private bytes = LISTPACK_EMPTY;
  private count = 0;
  private i = 0;

  constructor(private readonly fill: number) {}

  readonly take = (e: string): void => {
    if (this.count !== 0 && exceedsNode(this.fill, this.bytes + e.length + ESTIMATE_OVERHEAD, this.count + 1)) {
      this.found.push(this.i);
      this.bytes = LISTPACK_EMPTY;
      this.count = 0;
    }
    this.bytes += listpackEntrySize(e);
    this.count++;
    this.i++;
  };

  /** Where each node ends (exclusive), once every element was taken. */
  ends(): number[] {
    return [...this.found, this.i];
  }
}

/**
 * Redis's test for turning a one-node quicklist back into a listpack
 * (listTypeTryConvertQuicklist): within the limits, halved after a
 * removal so that a list on the boundary does not flip at every push and
 * pop. Under a count limit the node's bytes are not checked.
 */
export function fitsListpack(fill: number, bytes: number, count: number, shrinking: boolean): boolean {
  const div = shrinking ? 2 : 1;
  return bytes <= Math.floor(nodeByteLimit(fill) / div) && count <= Math.floor(nodeCountLimit(fill) / div);
}

/** Bytes an entry's back-length takes for an entry of `len` bytes. */
export function backlenSize(len: number): number {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

/** Bytes of an integer entry, by the narrowest listpack integer encoding that holds it. */
export function intEntrySize(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** True when listpack would store the string as an integer (Redis's string2ll rules). */
export function isListpackInt(s: string): boolean {
  if (s.length > 20 || s.length === 0) return false;
  const c = s.charCodeAt(0);
  if (c !== 45 && (c < 48 || c > 57)) return false;
  // smallInt is exact up to 15 digits; only longer strings need the int64 check (a regex and a BigInt).
  return smallInt(s) === smallInt(s) || (s.length >= 16 && toInt64(s) !== null);
}

/** Bytes one element takes in a listpack: encoding header, data, back-length. */
export function listpackEntrySize(s: string): number {
  const len = s.length;
  if (len <= 20) {
    const c = len === 0 ? 0 : s.charCodeAt(0);
    if (c === 45 || (c >= 48 && c <= 57)) {
      const small = smallInt(s);
      if (small === small) return intEntrySize(small);
      const big = len >= 16 ? toInt64(s) : null;
      if (big !== null) return intEntrySize(Number(big));
    }
  }
  return stringEntrySize(len);
}

/** Bytes a string entry of `len` bytes takes in a listpack. */
export function stringEntrySize(len: number): number {
  const encoded = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return encoded + backlenSize(encoded);
}
