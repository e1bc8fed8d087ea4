import { listpackEntrySize } from '../listpack-size.js';
import type { U64 } from './id.js';

/**
 * What Redis's listpack would spend on a stream node, so that nodes close
 * where Redis closes them (stream-node-max-bytes counts listpack bytes) and
 * `~` trimming, which removes whole nodes, removes what Redis removes.
 */

/** A listpack's header and end byte. */
export const LISTPACK_OVERHEAD = 7;

/** Bytes of an integer entry (lpAppendInteger), the value read as the int64 Redis stores. */
export function intBytes(v: U64): number {
  if (typeof v === 'bigint') {
    const s = BigInt.asIntN(64, v);
    if (s >= -2147483648n && s <= 2147483647n) return intBytes(Number(s));
    return 10;
  }
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Bytes of a string entry (lpAppend stores integer-looking strings as integers). */
export function strBytes(s: string): number {
  return listpackEntrySize(s);
}
