import { parseIntMember } from './intset.js';
import type { SetLimits } from './set-encoding.js';
import { SetValue } from './set-value.js';

/**
 * Intersection, union and difference as Redis 7.2 computes them
 * (sinterGenericCommand, sunionDiffGenericCommand). The results are built
 * the way Redis builds its result set, through the same adds and
 * conversions, so a stored result has Redis's encoding and a reply from an
 * intset or listpack result lists the members in Redis's order.
 */

/** The sets smallest first, ties in the order given (glibc's qsort is a merge sort here, so stable). */
function bySize(sets: readonly SetValue[]): SetValue[] {
  return sets.slice().sort((a, b) => a.size - b.size);
}

/**
 * Calls `f` with each member of the intersection of `sets` (none absent), in
 * the order of the smallest set, until it returns false. Listpack members
 * are copies when `own` (see SetValue.each).
 */
export function eachCommon(sets: readonly SetValue[], f: (m: string) => boolean | void, own = false): void {
  const sorted = bySize(sets);
  const first = sorted[0];
  first.each((m) => {
    for (let j = 1; j < sorted.length; j++) {
      const s = sorted[j];
      if (s !== first && !s.has(m)) return true;
    }
    return f(m);
  }, own);
}

/**
 * SINTERSTORE's result: a set in the smallest set's encoding (a listpack
 * when that is a hashtable), filled by adds, then an intset if every member
 * is an integer and there are few enough.
 */
export function intersection(sets: readonly SetValue[], lim: SetLimits): SetValue {
  const result = bySize(sets)[0].isIntset ? SetValue.intset() : SetValue.listpack();
  let onlyIntegers = true;
  eachCommon(sets, (m) => {
    if (onlyIntegers && parseIntMember(m) === null) onlyIntegers = false;
    result.add(m, lim);
  }, true);
  if (onlyIntegers && result.size > 0) result.toIntsetIfFits(lim);
  return result;
}

/** SUNION's result: every member of every set (absent ones are empty), added to a set that starts as an intset. */
export function union(sets: readonly (SetValue | undefined)[], lim: SetLimits): SetValue {
  const result = SetValue.intset();
  for (const s of sets) {
    s?.each((m) => {
      result.add(m, lim);
    }, true);
  }
  return result;
}

/**
 * SDIFF's result, by whichever of Redis's two algorithms it would pick:
 * the members of the first set tested against each other set (the others
 * largest first), or all of the first set added and the others' members
 * removed. The choice shows in the result's encoding: the second may pass
 * a threshold on the way. A key given twice (as the first and again)
 * leaves nothing.
 */
export function difference(sets: readonly (SetValue | undefined)[], lim: SetLimits): SetValue {
  const result = SetValue.intset();
  const first = sets[0];
  if (first === undefined) return result;
  if (sets.some((s, j) => j > 0 && s === first)) return result;
  let oneWork = 0;
  let twoWork = 0;
  for (const s of sets) {
    if (s === undefined) continue;
    oneWork += first.size;
    twoWork += s.size;
  }
  if (Math.floor(oneWork / 2) <= twoWork) {
    const others = (sets.slice(1).filter((s) => s !== undefined) as SetValue[]).sort((a, b) => b.size - a.size);
    first.each((m) => {
      for (const s of others) if (s.has(m)) return;
      result.add(m, lim);
    }, true);
    return result;
  }
  first.each((m) => {
    result.add(m, lim);
  }, true);
  for (let j = 1; j < sets.length && result.size > 0; j++) {
    sets[j]?.each((m) => {
      result.remove(m);
    });
  }
  return result;
}
