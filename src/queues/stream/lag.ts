import { compareIds, isZeroId, MAX_ID, MIN_ID, sub64, add64, type StreamId, type U64 } from './id.js';
import { ENTRIES_READ_UNKNOWN, type Group } from './group.js';
import type { StreamValue } from './stream-value.js';

/** Redis's streamRangeHasTombstones: whether a deleted ID may lie within [start, end]. */
export function rangeHasTombstones(s: StreamValue, start: StreamId = MIN_ID, end: StreamId = MAX_ID): boolean {
  if (s.length === 0 || isZeroId(s.maxDeletedId)) return false;
  if (compareIds(s.firstId, s.maxDeletedId) > 0) return false;
  return compareIds(start, s.maxDeletedId) <= 0 && compareIds(s.maxDeletedId, end) <= 0;
}

/**
 * Redis's streamEstimateDistanceFromFirstEverEntry: the read counter that
 * an ID stands for, when it can be known (see its rules), else -1.
 */
export function entriesReadEstimate(s: StreamValue, id: StreamId): U64 {
  if (s.entriesAdded === 0) return 0;
  if (s.length === 0 && compareIds(id, s.lastId) < 1) return s.entriesAdded;
  const cmpLast = compareIds(id, s.lastId);
  if (cmpLast === 0) return s.entriesAdded;
  if (cmpLast > 0) return ENTRIES_READ_UNKNOWN;
  const cmpFirst = compareIds(id, s.firstId);
  if (isZeroId(s.maxDeletedId) || compareIds(s.maxDeletedId, s.firstId) < 0) {
    if (cmpFirst < 0) return sub64(s.entriesAdded, s.length);
    if (cmpFirst === 0) return add64(sub64(s.entriesAdded, s.length), 1);
  }
  return ENTRIES_READ_UNKNOWN;
}

/** Redis's streamReplyWithCGLag: entries not yet delivered to the group, or null when it cannot be known. */
export function groupLag(s: StreamValue, g: Group): U64 | null {
  if (s.entriesAdded === 0) return 0;
  if (g.entriesRead !== ENTRIES_READ_UNKNOWN && !rangeHasTombstones(s, g.lastId)) return sub64(s.entriesAdded, g.entriesRead);
  const read = entriesReadEstimate(s, g.lastId);
  return read === ENTRIES_READ_UNKNOWN ? null : sub64(s.entriesAdded, read);
}
