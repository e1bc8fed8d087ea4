import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { optionWord } from '../../core/options.js';
import {
  lexSpan, limitSpan, parseLexRange, parseScoreRange, scoreSpan, type LexRange, type RankSpan, type ScoreRange,
} from './range.js';
import { readZset, replyEntries, storeResult, zsetLimits } from './zset-access.js';
import { ZSetValue } from './zset-value.js';

type By = 'auto' | 'rank' | 'score' | 'lex';

/** What a ZRANGE-family line asks for, in Redis's zrangeGenericCommand terms. */
interface RangeRequest {
  by: Exclude<By, 'auto'>;
  reverse: boolean;
  withScores: boolean;
  offset: number;
  /** -1: no LIMIT (as in Redis, LIMIT o -1 counts as none). */
  limit: number;
}

/**
 * Reads the options after <src> <min> <max> (from argv[at + 3]) and checks
 * them as Redis does; `by` and `reverse` are fixed by the older commands
 * (ZRANGEBYSCORE…), 'auto' and null where the line chooses.
 */
function parseRequest(argv: string[], at: number, store: boolean, fixedBy: By, fixedReverse: boolean | null): RangeRequest {
  let by = fixedBy;
  let reverse = fixedReverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const w = optionWord(argv[j]);
    if (!store && w === 'withscores') {
      withScores = true;
    } else if (w === 'limit' && argv.length - j - 1 >= 2) {
      offset = intArg(argv[j + 1]);
      limit = intArg(argv[j + 2]);
      j += 2;
    } else if (reverse === null && w === 'rev') {
      reverse = true;
    } else if (by === 'auto' && w === 'bylex') {
      by = 'lex';
    } else if (by === 'auto' && w === 'byscore') {
      by = 'score';
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const range = by === 'auto' ? 'rank' : by;
  if (limit !== -1 && range === 'rank') {
    throw new CommandError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  if (withScores && range === 'lex') {
    throw new CommandError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  }
  return { by: range, reverse: reverse ?? false, withScores, offset, limit };
}

/** The range a line names: ranks, or a score or lex interval. */
type Bounds =
  | { by: 'rank'; start: number; end: number }
  | { by: 'score'; range: ScoreRange }
  | { by: 'lex'; range: LexRange };

/** Reads min and max as the request's kind of range; for REV by score or lex they come as max, min. */
function parseBounds(req: RangeRequest, first: string, second: string): Bounds {
  if (req.by === 'rank') return { by: 'rank', start: intArg(first), end: intArg(second) };
  const [min, max] = req.reverse ? [second, first] : [first, second];
  if (req.by === 'score') return { by: 'score', range: parseScoreRange(min, max) };
  return { by: 'lex', range: parseLexRange(min, max) };
}

/** The ranks a request selects, LIMIT applied; for REV the entries are taken from the span's end. */
function selectSpan(z: ZSetValue, req: RangeRequest, bounds: Bounds): RankSpan {
  if (bounds.by === 'rank') {
    const n = z.size;
    let { start, end } = bounds;
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (start < 0) start = 0;
    if (start > end || start >= n) return { start: 0, end: 0 };
    if (end >= n) end = n - 1;
    // For REV, ranks count from the highest score.
    return req.reverse ? { start: n - 1 - end, end: n - start } : { start, end: end + 1 };
  }
  const span = bounds.by === 'score' ? scoreSpan(z, bounds.range) : lexSpan(z, bounds.range, req.reverse);
  return limitSpan(span, req.offset, req.limit, req.reverse);
}

/**
 * Z[REV]RANGE[BYSCORE|BYLEX] and ZRANGESTORE: options, then the range,
 * then the key (whose argv index is `at`).
 */
function zrangeGeneric(c: Ctx, argv: string[], at: number, store: boolean, fixedBy: By, fixedReverse: boolean | null): void {
  const req = parseRequest(argv, at, store, fixedBy, fixedReverse);
  const bounds = parseBounds(req, argv[at + 1], argv[at + 2]);
  const z = readZset(c, argv[at]);
  if (store) {
    storeRange(c, argv[1], z, req, bounds);
    return;
  }
  if (z === undefined) {
    c.reply.array(0);
    return;
  }
  const { start, end } = selectSpan(z, req, bounds);
  replyEntries(c, z, req.reverse ? end - 1 : start, end - start, req.reverse, req.withScores);
}

/** ZRANGESTORE's result, encoded as Redis would encode the same members added in turn. */
function storeRange(c: Ctx, dst: string, z: ZSetValue | undefined, req: RangeRequest, bounds: Bounds): void {
  const members: string[] = [];
  const scores: number[] = [];
  if (z !== undefined) {
    const { start, end } = selectSpan(z, req, bounds);
    z.forRange(
      start, end - start, false, (m, s) => {
        members.push(m);
        scores.push(s);
      }, true,
    );
  }
  storeResult(c, dst, ZSetValue.fromSorted(members, scores, zsetLimits(c)), 'zrangestore');
}

function zrange(c: Ctx, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, 'auto', null);
}

function zrangestore(c: Ctx, argv: string[]): void {
  zrangeGeneric(c, argv, 2, true, 'auto', null);
}

function fixed(by: By, reverse: boolean) {
  return (c: Ctx, argv: string[]): void => zrangeGeneric(c, argv, 1, false, by, reverse);
}

const ZSET = { acl: ['sortedset'], group: 'sorted-set' } as const;
const READ = { ...ZSET, arity: -4, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'] } as const;
const RANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';
const LIMITED_COMPLEXITY =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const LIMIT = '[LIMIT limit{offset:integer count:integer}]';
const DEPRECATED = { docFlags: ['deprecated'], deprecatedSince: '6.2.0' } as const;

export const zrangeCommands: CommandSpec[] = [
  {
    ...READ, name: 'zrange',
    args: 'key:key start stop [sortby(BYSCORE | BYLEX) @6.2.0] [REV @6.2.0] [LIMIT limit{offset:integer count:integer} @6.2.0] [WITHSCORES]',
    since: '1.2.0', history: [['6.2.0', 'Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.']],
    summary: 'Returns members in a sorted set within a range of indexes.', complexity: RANGE_COMPLEXITY, handler: zrange,
  },
  {
    ...ZSET, name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'],
    keySpecs: ['OW update: index 1, range 0', 'RO access: index 2, range 0'],
    args: `dst:key src:key#1 min max [sortby(BYSCORE | BYLEX)] [REV] ${LIMIT}`, since: '6.2.0',
    summary: 'Stores a range of members from sorted set in a key.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    handler: zrangestore,
  },
  {
    ...READ, ...DEPRECATED, name: 'zrevrange', args: 'key:key start:integer stop:integer [WITHSCORES]', since: '1.2.0',
    replacedBy: '`ZRANGE` with the `REV` argument',
    summary: 'Returns members in a sorted set within a range of indexes in reverse order.', complexity: RANGE_COMPLEXITY,
    handler: fixed('rank', true),
  },
  {
    ...READ, ...DEPRECATED, name: 'zrangebyscore', args: `key:key min:double max:double [WITHSCORES @2.0.0] ${LIMIT}`,
    since: '1.0.5', history: [['2.0.0', 'Added the `WITHSCORES` modifier.']], replacedBy: '`ZRANGE` with the `BYSCORE` argument',
    summary: 'Returns members in a sorted set within a range of scores.', complexity: LIMITED_COMPLEXITY,
    handler: fixed('score', false),
  },
  {
    ...READ, ...DEPRECATED, name: 'zrevrangebyscore', args: `key:key max:double min:double [WITHSCORES] ${LIMIT}`,
    since: '2.2.0', history: [['2.1.6', '`min` and `max` can be exclusive.']],
    replacedBy: '`ZRANGE` with the `REV` and `BYSCORE` arguments',
    summary: 'Returns members in a sorted set within a range of scores in reverse order.', complexity: LIMITED_COMPLEXITY,
    handler: fixed('score', true),
  },
  {
    ...READ, ...DEPRECATED, name: 'zrangebylex', args: `key:key min max ${LIMIT}`, since: '2.8.9',
    replacedBy: '`ZRANGE` with the `BYLEX` argument',
    summary: 'Returns members in a sorted set within a lexicographical range.', complexity: LIMITED_COMPLEXITY,
    handler: fixed('lex', false),
  },
  {
    ...READ, ...DEPRECATED, name: 'zrevrangebylex', args: `key:key max min ${LIMIT}`, since: '2.8.9',
    replacedBy: '`ZRANGE` with the `REV` and `BYLEX` arguments',
    summary: 'Returns members in a sorted set within a lexicographical range in reverse order.',
    complexity: LIMITED_COMPLEXITY, handler: fixed('lex', true),
  },
];
