import { CommandError } from '../../core/errors.js';
import { rangeScore } from './score.js';
import type { ZSetValue } from './zset-value.js';

export const NOT_FLOAT_RANGE = 'ERR min or max is not a float';
export const NOT_LEX_RANGE = 'ERR min or max not valid string range item';

/** A score interval, each end inclusive or exclusive ("(1.5"). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** Redis's zslParseRange. */
export function parseScoreRange(min: string, max: string): ScoreRange {
  const minex = min.charCodeAt(0) === 40;
  const maxex = max.charCodeAt(0) === 40;
  const lo = rangeScore(minex ? min.slice(1) : min);
  const hi = rangeScore(maxex ? max.slice(1) : max);
  if (lo === null || hi === null) throw new CommandError(NOT_FLOAT_RANGE);
  return { min: lo, max: hi, minex, maxex };
}

/** A member interval: '-' and '+' (the lowest and highest strings), or a bound with '[' (inclusive) or '(' (exclusive). */
export interface LexRange {
  min: LexBound;
  max: LexBound;
}

type LexBound = { kind: 'min' } | { kind: 'max' } | { kind: 'value'; value: string; ex: boolean };

/** Redis's zslParseLexRangeItem: the first byte says which bound; '-' and '+' stand alone (as C strings: up to a NUL). */
function lexBound(s: string): LexBound {
  const c = s.charCodeAt(0);
  const alone = s.length === 1 || s.charCodeAt(1) === 0;
  if (c === 43 && alone) return { kind: 'max' };
  if (c === 45 && alone) return { kind: 'min' };
  if (c === 40 || c === 91) return { kind: 'value', value: s.slice(1), ex: c === 40 };
  throw new CommandError(NOT_LEX_RANGE);
}

export function parseLexRange(min: string, max: string): LexRange {
  return { min: lexBound(min), max: lexBound(max) };
}

/** Ranks [start, end) of the entries within a range. */
export interface RankSpan {
  start: number;
  end: number;
}

/**
 * The entries within a score range, as ranks: everything from the first
 * entry not below min to the last not above max. Exact for any set, since
 * entries are ordered by score.
 */
export function scoreSpan(z: ZSetValue, r: ScoreRange): RankSpan {
  const { min, max } = r;
  const start = z.countScoresBelow(min, r.minex);
  const end = z.countScoresBelow(max, !r.maxex);
  return { start, end: Math.max(start, end) };
}

/** Whether a member is not below the range's min (zslLexValueGteMin). */
function geMin(m: string, r: LexRange): boolean {
  const lo = r.min;
  return lo.kind === 'min' ? true : lo.kind === 'max' ? false : lo.ex ? m > lo.value : m >= lo.value;
}

/** Whether a member is not above the range's max (zslLexValueLteMax). */
function leMax(m: string, r: LexRange): boolean {
  const hi = r.max;
  return hi.kind === 'max' ? true : hi.kind === 'min' ? false : hi.ex ? m < hi.value : m <= hi.value;
}

/**
 * The entries within a lex range, as ranks (walked from the span's end for
 * REV). Members are in order only among equal scores. For a set of mixed
 * scores Redis's answer is unspecified: for a listpack it is its linear
 * walk, which a packed set repeats exactly (first the ends, then from the
 * first member not below min onwards while not above max, or from the last
 * not above max backwards); for a skiplist it depends on the list's random
 * levels, and a tree is searched as if the members were sorted throughout.
 */
export function lexSpan(z: ZSetValue, r: LexRange, reverse = false): RankSpan {
  if (z.packed) return packedLexSpan(z, r, reverse);
  const start = z.countWhile((_, m) => !geMin(m, r));
  const end = z.countWhile((_, m) => leMax(m, r));
  return { start, end: Math.max(start, end) };
}

function packedLexSpan(z: ZSetValue, r: LexRange, reverse: boolean): RankSpan {
  const members: string[] = [];
  z.forRange(0, z.size, false, (m) => members.push(m));
  const n = members.length;
  const none = { start: 0, end: 0 };
  if (n === 0 || !geMin(members[n - 1], r) || !leMax(members[0], r)) return none;
  if (!reverse) {
    const start = members.findIndex((m) => geMin(m, r));
    if (start === -1 || !leMax(members[start], r)) return none;
    let end = start;
    while (end < n && leMax(members[end], r)) end++;
    return { start, end };
  }
  let last = n - 1;
  while (last >= 0 && !leMax(members[last], r)) last--;
  if (last === -1 || !geMin(members[last], r)) return none;
  let first = last;
  while (first >= 0 && geMin(members[first], r)) first--;
  return { start: first + 1, end: last + 1 };
}

/**
 * LIMIT offset count applied to a span, read from its start (or from its
 * end when `reverse`): a negative offset leaves nothing (Redis walks past
 * the end), a negative count everything after the offset.
 */
export function limitSpan(span: RankSpan, offset: number, count: number, reverse: boolean): RankSpan {
  const { start, end } = span;
  if (offset < 0) return { start: end, end };
  const room = Math.max(0, end - start - offset);
  const n = count < 0 ? room : Math.min(count, room);
  return reverse ? { start: end - offset - n, end: end - offset } : { start: start + offset, end: start + offset + n };
}
