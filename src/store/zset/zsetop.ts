import type { Ctx } from '../../core/context.js';
import { CommandError, WRONGTYPE } from '../../core/errors.js';
import { BigMap } from '../../keyspace/big-map.js';
import type { Value } from '../../keyspace/value.js';
import { SetValue } from '../set/set-value.js';
import { ZSetValue } from './zset-value.js';

/** One input of a set operation: a sorted set, a plain set (its members score 1), or nothing (a missing key), with its weight. */
export interface Source {
  value: ZSetValue | SetValue | null;
  weight: number;
}

export function sourceSize(src: Source): number {
  return src.value === null ? 0 : src.value.size;
}

/** Reads an input key for a set operation: a sorted set or a set, else WRONGTYPE. */
export function readSource(c: Ctx, key: string): Source {
  const v: Value | undefined = c.db.read(key);
  if (v === undefined) return { value: null, weight: 1 };
  if (v instanceof ZSetValue) return { value: v, weight: 1 };
  if (v instanceof SetValue) return { value: v, weight: 1 };
  throw new CommandError(WRONGTYPE);
}

/** Entries a sorted set source lends at a time, so that a walk can stop early. */
const CHUNK = 256;

/**
 * Calls `fn` with every member of a source and its score (1 for a plain
 * set) until it returns false; members are copies a result may keep.
 */
export function eachEntry(src: Source, fn: (member: string, score: number) => boolean | void): void {
  const v = src.value;
  if (v === null) return;
  if (!(v instanceof ZSetValue)) {
    v.each((m) => fn(m, 1), true);
    return;
  }
  const members: string[] = [];
  const scores: number[] = [];
  for (let start = 0; start < v.size; start += CHUNK) {
    members.length = 0;
    scores.length = 0;
    v.forRange(
      start, Math.min(CHUNK, v.size - start), false, (m, s) => {
        members.push(m);
        scores.push(s);
      }, true,
    );
    for (let i = 0; i < members.length; i++) if (fn(members[i], scores[i]) === false) return;
  }
}

/** A member's score in a source, or undefined when it is not there. */
export function scoreIn(src: Source, member: string): number | undefined {
  const v = src.value;
  if (v === null) return undefined;
  if (v instanceof ZSetValue) return v.score(member);
  return v.has(member) ? 1 : undefined;
}

export type Aggregate = 'sum' | 'min' | 'max';

/** Redis's zunionInterAggregate: a sum of +inf and -inf is 0, not NaN. */
export function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value;
    return sum !== sum ? 0 : sum;
  }
  if (how === 'min') return value < target ? value : target;
  return value > target ? value : target;
}

/** weight × score, with NaN (0 × inf) taken as 0, as Redis does. */
export function weighted(score: number, weight: number): number {
  const w = score * weight;
  return w !== w ? 0 : w;
}

/** A result's entries in a sorted set's order: by score, then member bytes. */
export function sortEntries(result: BigMap<string, number>): { members: string[]; scores: Float64Array } {
  const members: string[] = [];
  const scores: number[] = [];
  for (const [m, s] of result.entries()) {
    members.push(m);
    scores.push(s);
  }
  const order = members.map((_, i) => i);
  order.sort((a, b) => {
    const sa = scores[a];
    const sb = scores[b];
    if (sa !== sb) return sa < sb ? -1 : 1;
    return members[a] < members[b] ? -1 : members[a] > members[b] ? 1 : 0;
  });
  const sortedScores = new Float64Array(order.length);
  const sortedMembers = order.map((i, k) => {
    sortedScores[k] = scores[i];
    return members[i];
  });
  return { members: sortedMembers, scores: sortedScores };
}

/**
 * ZUNION: every member of every source with its weighted scores
 * aggregated, the sources taken from the smallest (as Redis orders them,
 * which decides the order floating-point sums are made in).
 */
export function union(sources: Source[], how: Aggregate): BigMap<string, number> {
  const acc = new BigMap<string, number>();
  for (const src of bySize(sources)) {
    eachEntry(src, (m, s) => {
      const score = weighted(s, src.weight);
      const prev = acc.get(m);
      acc.set(m, prev === undefined ? score : aggregate(prev, score, how));
    });
  }
  return acc;
}

/**
 * ZINTER: the members of the smallest source found in every other, scores
 * aggregated in size order; with `limit` (> 0), counting stops there
 * (ZINTERCARD), and `keep` false only counts.
 */
export function intersection(sources: Source[], how: Aggregate, limit: number, keep: boolean): { result: BigMap<string, number>; count: number } {
  const result = new BigMap<string, number>();
  const sorted = bySize(sources);
  let count = 0;
  if (sourceSize(sorted[0]) === 0) return { result, count };
  const first = sorted[0];
  const rest = sorted.slice(1);
  eachEntry(first, (m, s) => {
    // Only the first product has NaN (0 × inf) taken as 0; the others go to the aggregate as they are.
    let score = weighted(s, first.weight);
    for (const src of rest) {
      const other = scoreIn(src, m);
      if (other === undefined) return true;
      score = aggregate(score, other * src.weight, how);
    }
    count++;
    if (keep) result.set(m, score);
    return limit === 0 || count < limit;
  });
  return { result, count };
}

/** ZDIFF: the members of the first source that no other holds, with their scores there. */
export function difference(sources: Source[]): BigMap<string, number> {
  const result = new BigMap<string, number>();
  const [first, ...rest] = sources;
  if (rest.some((src) => src.value !== null && src.value === first.value)) return result;
  eachEntry(first, (m, s) => {
    for (const src of rest) if (scoreIn(src, m) !== undefined) return;
    result.set(m, s);
  });
  return result;
}

/** Sources ordered by size, smallest first; equal sizes keep their order (glibc's qsort here is a merge sort). */
function bySize(sources: Source[]): Source[] {
  return sources.map((s, i) => ({ s, i })).sort((a, b) => sourceSize(a.s) - sourceSize(b.s) || a.i - b.i).map((x) => x.s);
}
