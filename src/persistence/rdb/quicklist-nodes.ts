import type { ListValue } from '../../queues/list.js';
import { LISTPACK_EMPTY, listpackEntrySize } from '../../queues/listpack-size.js';

/** list-max-listpack-size's default: 8 KiB nodes. */
export const DEFAULT_FILL = -2;
/** list-max-listpack-size's negative settings: -1 to -5 cap a node at 4 to 64 KiB. */
const SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** What Redis adds to an element's length when it asks whether a node can take it (SIZE_ESTIMATE_OVERHEAD). */
const ESTIMATE_OVERHEAD = 8;
/** A node capped by count still stops at 8 KiB (SIZE_SAFETY_LIMIT). */
const SAFETY_LIMIT = 8192;

/**
 * Where a quicklist's nodes would end for this list had it been pushed
 * from the tail (quicklistNodeExceedsLimit): a node takes an element while
 * its listpack bytes plus the element's length and 8 stay within the size
 * limit, or within the count limit and 8 KiB. Sluice does not keep node
 * boundaries, so a list built otherwise gets the boundaries of the same
 * elements pushed in order; any split loads the same list.
 */
export function quicklistNodes(list: ListValue, fill: number): number[] {
  const sizeLimit = fill < 0 ? SIZE_LIMITS[Math.min(-fill, SIZE_LIMITS.length) - 1] : SAFETY_LIMIT;
  const countLimit = fill < 0 ? Infinity : Math.max(fill, 1);
  const ends: number[] = [];
  let bytes = LISTPACK_EMPTY;
  let count = 0;
  let i = 0;
  list.each((e) => {
    if (count !== 0 && (bytes + e.length + ESTIMATE_OVERHEAD > sizeLimit || count + 1 > countLimit)) {
      ends.push(i);
      bytes = LISTPACK_EMPTY;
      count = 0;
    }
    bytes += listpackEntrySize(e);
    count++;
    i++;
  });
  ends.push(list.length);
  return ends;
}
