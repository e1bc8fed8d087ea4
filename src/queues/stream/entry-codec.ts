import { smallInt } from '../../codecs/integer-text.js';

/**
 * The items a stream block packs its entries from. Each item is one varint
 * header (seven bits per char, low bits first, a char below 128 ends it)
 * that says what follows:
 *
 *   even h: a byte string of h / 2 chars follows
 *   odd h:  the item is the integer zigzag⁻¹((h - 1) / 2), nothing follows
 *
 * so a canonical decimal such as a 10-digit timestamp costs 5 chars, not
 * 11, and an ID delta or field count usually one. Integers are taken only
 * where the string they stand for is exactly the one they print as, so a
 * value reads back byte for byte. Headers stay below 2^53, exact as doubles.
 */

/** Integers an item holds: |v| < 2^51 keeps 4|v| + 1 exact. */
const INT_LIMIT = 2 ** 51;

/** The varint of `h` (at most 2^53), made by one fromCharCode per four chars rather than a concatenation per char. */
export function varint(h: number): string {
  if (h < 0x80) return String.fromCharCode(h);
  if (h < 0x4000) return String.fromCharCode(128 | (h & 127), h >>> 7);
  if (h < 0x200000) return String.fromCharCode(128 | (h & 127), 128 | ((h >>> 7) & 127), h >>> 14);
  if (h < 0x10000000) return String.fromCharCode(128 | (h & 127), 128 | ((h >>> 7) & 127), 128 | ((h >>> 14) & 127), h >>> 21);
  const low = h % 0x10000000;
  return String.fromCharCode(128 | (low & 127), 128 | ((low >>> 7) & 127), 128 | ((low >>> 14) & 127), 128 | (low >>> 21)) + varint(Math.floor(h / 0x10000000));
}

/** Whether `v` can be an integer item. */
export function fitsIntItem(v: number): boolean {
  return Number.isSafeInteger(v) && v < INT_LIMIT && v > -INT_LIMIT;
}

/** `v` as an integer item (fitsIntItem(v) must hold). */
export function intItem(v: number): string {
  return varint(2 * (v >= 0 ? 2 * v : -2 * v - 1) + 1);
}

/**
 * The integer an item holds for `s` when `s` is a canonical decimal small
 * enough, else NaN: smallInt's at most 15 digits stay below INT_LIMIT.
 */
export function intValue(s: string): number {
  return smallInt(s);
}

/** `s` as an item of its bytes. */
export function bytesItem(s: string): string {
  return varint(2 * s.length) + s;
}

/** Where the header `headerAt` read last ends. */
let headerEnd = 0;

/**
 * The item header at `p` of `d`; where it ends is left in `headerEnd` (a
 * second result without an object per read: readers call this per value).
 */
export function headerAt(d: string, p: number): number {
  let b = d.charCodeAt(p++);
  if (b < 128) {
    headerEnd = p;
    return b;
  }
  let h = 0;
  let shift = 1;
  for (; b >= 128; b = d.charCodeAt(p++)) {
    h += (b - 128) * shift;
    shift *= 128;
  }
  headerEnd = p;
  return h + b * shift;
}

/** Where the last header read ends. */
export function afterHeader(): number {
  return headerEnd;
}

/** The string the item with header `h` stands for, its bytes (if any) at `at`. */
export function itemString(d: string, h: number, at: number): string {
  return h % 2 === 1 ? String(intOf(h)) : d.slice(at, at + h / 2);
}

/** Chars an item with header `h` has after its header. */
export function itemBytes(h: number): number {
  return h % 2 === 1 ? 0 : h / 2;
}

/** The integer an odd header holds. */
export function intOf(h: number): number {
  const z = (h - 1) / 2;
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
