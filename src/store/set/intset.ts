import { smallInt, toInt64 } from '../../codecs/integer-text.js';

/**
 * Redis's intset kept in one JS string: the members of a set of integers,
 * sorted ascending, each in `width` bytes (one char per byte), where width
 * is 2, 4 or 8, the narrowest that holds every member (Redis widens the same
 * way and never narrows). A member is stored big-endian with its sign bit
 * flipped, so that the chars of a smaller number compare lower. A string
 * costs 16 bytes of header where a typed array costs about 250 (its
 * ArrayBuffer and backing store), which would dwarf a small set; a change
 * builds a new string, O(n) as Redis's memmove is.
 */
export type Intset = string;

/** An int64 member: a number when it is a safe integer, else a bigint (never a bigint within the safe range). */
export type IntMember = number | bigint;

const TWO32 = 4294967296;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A member as Redis's string2ll reads it (no sign but '-', no leading zeros, within int64), or null. */
export function parseIntMember(s: string): IntMember | null {
  const small = smallInt(s);
  if (small === small) return small;
  const n = toInt64(s);
  if (n === null) return null;
  return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

/** The narrowest width that holds `v`. */
export function widthFor(v: IntMember): number {
  if (typeof v === 'bigint') return 8;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

/** The high (signed) and low (unsigned) 32 bits of the last value split, for 8-byte members. */
let HI = 0;
let LO = 0;

function split(v: IntMember): void {
  if (typeof v === 'number') {
    HI = Math.floor(v / TWO32);
    LO = v - HI * TWO32;
  } else {
    HI = Number(v >> 32n);
    LO = Number(BigInt.asUintN(32, v));
  }
}

/** The 32 bits of the big-endian word at `at`, as an unsigned number. */
function word(s: string, at: number): number {
  return s.charCodeAt(at) * 16777216 + ((s.charCodeAt(at + 1) << 16) | (s.charCodeAt(at + 2) << 8) | s.charCodeAt(at + 3));
}

/** Member `i` of a set of width 2 or 4, as a number. */
function narrowAt(s: Intset, width: number, i: number): number {
  const at = i * width;
  if (width === 2) return ((s.charCodeAt(at) << 8) | s.charCodeAt(at + 1)) - 32768;
  return word(s, at) - 2147483648;
}

/** Member `i`. */
export function intAt(s: Intset, width: number, i: number): IntMember {
  if (width !== 8) return narrowAt(s, width, i);
  const at = i * 8;
  const hi = word(s, at) - 2147483648;
  const lo = word(s, at + 4);
  if (hi >= -2097152 && hi <= 2097151) {
    // Exact: |hi * 2^32| <= 2^53 and the sum lies within 2^53 of zero.
    const v = hi * TWO32 + lo;
    if (v >= -Number.MAX_SAFE_INTEGER) return v;
  }
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/** Member `i` in decimal, as Redis replies with it. */
export function intText(s: Intset, width: number, i: number): string {
  return String(intAt(s, width, i));
}

function encodeWord(u: number): string {
  return String.fromCharCode(Math.floor(u / 16777216), (u >>> 16) & 255, (u >>> 8) & 255, u & 255);
}

/** `v` in `width` bytes (it must fit). */
function encode(v: IntMember, width: number): string {
  if (width === 2) {
    const u = (v as number) + 32768;
    return String.fromCharCode(u >> 8, u & 255);
  }
  if (width === 4) return encodeWord((v as number) + 2147483648);
  split(v);
  return encodeWord(HI + 2147483648) + encodeWord(LO);
}

/**
 * Where `v` is among the `n` members: its index, or -(insertion point) - 1
 * when it is not a member.
 */
export function intSearch(s: Intset, width: number, n: number, v: IntMember): number {
  if (n === 0) return -1;
  if (widthFor(v) > width) return v < 0 ? -1 : -n - 1;
  let lo = 0;
  let hi = n - 1;
  if (width !== 8) {
    const x = v as number;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = narrowAt(s, width, mid);
      if (m < x) lo = mid + 1;
      else if (m > x) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
  split(v);
  const xh = HI + 2147483648;
  const xl = LO;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const mh = word(s, mid * 8);
    const c = mh !== xh ? mh - xh : word(s, mid * 8 + 4) - xl;
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** The members re-encoded in a wider width. */
function widen(s: Intset, width: number, n: number, to: number): Intset {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(encode(intAt(s, width, i), to));
  return parts.join('');
}

/**
 * `s` with `v` inserted at insertion point `at` (from intSearch), in the
 * width max(width, widthFor(v)): a value that needs more bytes widens every
 * member.
 */
export function intInsert(s: Intset, width: number, n: number, v: IntMember, at: number): Intset {
  const need = widthFor(v);
  if (need > width) {
    // A value that needs more bytes lies beyond every member: it goes first or last.
    const wide = widen(s, width, n, need);
    return v < 0 ? encode(v, need) + wide : wide + encode(v, need);
  }
  return s.slice(0, at * width) + encode(v, width) + s.slice(at * width);
}

/** `s` without member `i`. */
export function intRemove(s: Intset, width: number, i: number): Intset {
  return s.slice(0, i * width) + s.slice((i + 1) * width);
}

/** The width an intset of `values` takes. */
export function widthOfAll(values: readonly IntMember[]): number {
  let width = 2;
  for (const v of values) width = Math.max(width, widthFor(v));
  return width;
}

/** An intset of `values`, which must be distinct and fit `width`; sorts them. */
export function intsetOf(values: IntMember[], width: number): Intset {
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  for (const v of values) parts.push(encode(v, width));
  return parts.join('');
}
