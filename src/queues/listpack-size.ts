import { smallInt, toInt64 } from '../core/numbers.js';

/**
 * What Redis's listpack format would spend on a list, so that OBJECT
 * ENCODING can say "listpack" or "quicklist" exactly where Redis 7.2 does
 * with its default list-max-listpack-size of -2 (8 KiB per listpack).
 */

/** A listpack's header (total bytes, element count) and end byte. */
export const LISTPACK_EMPTY = 7;
/** list-max-listpack-size -2: a listpack may grow to 8 KiB. */
export const LISTPACK_LIMIT = 8192;

/** Bytes an entry's back-length takes for an entry of `len` bytes. */
function backlenSize(len: number): number {
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
  const encoded = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return encoded + backlenSize(encoded);
}
