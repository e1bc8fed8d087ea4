import { intEntrySize, LISTPACK_EMPTY, listpackEntrySize } from '../list/listpack-size.js';
import type { U64 } from './id.js';

/**
 * What Redis's listpack would spend on a stream node, so that nodes close
 * where Redis closes them (stream-node-max-bytes counts listpack bytes) and
 * `~` trimming, which removes whole nodes, removes what Redis removes.
 */

/** A listpack's header and end byte. */
export const LISTPACK_OVERHEAD = LISTPACK_EMPTY;

/** Bytes of an integer entry (lpAppendInteger), the value read as the int64 Redis stores. */
export function intBytes(v: U64): number {
  if (typeof v === 'bigint') {
    const s = BigInt.asIntN(64, v);
    return s >= -2147483648n && s <= 2147483647n ? intEntrySize(Number(s)) : 10;
  }
  return intEntrySize(v);
}

/** Bytes of a string entry (lpAppend stores integer-looking strings as integers). */
export function strBytes(s: string): number {
  return listpackEntrySize(s);
}
