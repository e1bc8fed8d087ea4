import { MAX_ARG_LENGTH } from '../../protocol/limits.js';

/**
 * What the set encodings share: their names, the thresholds that choose
 * between them, and the bounds V8 sets on the compact ones.
 */

/** The thresholds of Redis's set encodings, read from the configuration for each command. */
export interface SetLimits {
  /** set-max-intset-entries */
  intsetEntries: number;
  /** set-max-listpack-entries */
  listpackEntries: number;
  /** set-max-listpack-value */
  listpackValue: number;
}

export const INTSET = 0;
export const LISTPACK = 1;
export const HASHTABLE = 2;
export const ENCODING_NAMES = ['intset', 'listpack', 'hashtable'];

/**
 * The longest a packed listpack may grow: Redis's listpack safety limit
 * (1 GiB), or V8's longest string where that is shorter (it is, at about
 * 512 MiB); a set that would pass it becomes a hashtable instead.
 */
export const PACKED_LIMIT = Math.min(2 ** 30, MAX_ARG_LENGTH);
/** Redis caps an intset at 2^30 members; an intset string of 8-byte members holds fewer. */
const INTSET_LIMIT = Math.min(2 ** 30, Math.floor(MAX_ARG_LENGTH / 8));

/** The most members an intset may hold (Redis's intsetMaxEntries). */
export function intsetCap(lim: SetLimits): number {
  return Math.min(lim.intsetEntries, INTSET_LIMIT);
}

