import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { keysAfterCount } from '../../core/numkeys.js';
import { optionWord } from '../../core/options.js';
import { scoreArg } from './score.js';
import { storeResult, zsetLimits } from './zset-access.js';
import { ZSetValue } from './zset-value.js';
import { difference, intersection, readSource, sortEntries, union, type Aggregate, type Source } from './zsetop.js';

type Op = 'union' | 'inter' | 'diff' | 'card';

/** What a set-operation line asks for, read as Redis's zunionInterDiffGenericCommand reads it. */
interface OpRequest {
  sources: Source[];
  how: Aggregate;
  withScores: boolean;
  limit: number;
}

/**
 * numkeys (from argv[at]), the input keys (looked up, so WRONGTYPE comes
 * before any option error), then WEIGHTS, AGGREGATE, WITHSCORES and
 * LIMIT where the command takes them.
 */
function parseRequest(c: Ctx, argv: string[], at: number, op: Op, fullName: string, store: boolean): OpRequest {
  const numkeys = intArg(argv[at]);
  if (numkeys < 1) throw new CommandError(`ERR at least 1 input key is needed for '${fullName}' command`);
  if (numkeys > argv.length - at - 1) throw new CommandError(SYNTAX);
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) sources.push(readSource(c, argv[at + 1 + i]));
  const req: OpRequest = { sources, how: 'sum', withScores: false, limit: 0 };
  const weighs = op === 'union' || op === 'inter';
  for (let j = at + 1 + numkeys; j < argv.length; ) {
    const left = argv.length - j;
    const w = optionWord(argv[j]);
    if (weighs && left >= numkeys + 1 && w === 'weights') {
      for (let i = 0; i < numkeys; i++) sources[i].weight = scoreArg(argv[j + 1 + i], 'ERR weight value is not a float');
      j += numkeys + 1;
    } else if (weighs && left >= 2 && w === 'aggregate') {
      const how = optionWord(argv[j + 1]);
      if (how !== 'sum' && how !== 'min' && how !== 'max') throw new CommandError(SYNTAX);
      req.how = how;
      j += 2;
    } else if (!store && op !== 'card' && w === 'withscores') {
      req.withScores = true;
      j++;
    } else if (op === 'card' && left >= 2 && w === 'limit') {
      const limit = toInt64(argv[j + 1]);
      if (limit === null || limit < 0n) throw new CommandError("ERR LIMIT can't be negative");
      req.limit = Number(limit);
      j += 2;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return req;
}

function compute(req: OpRequest, op: Op) {
  if (op === 'union') return union(req.sources, req.how);
  if (op === 'inter') return intersection(req.sources, req.how, 0, true).result;
  return difference(req.sources);
}

/** ZUNION, ZINTER, ZDIFF numkeys key [key …] …: the result in order, with scores as ZRANGE writes them. */
function zsetop(op: Op, fullName: string) {
  return (c: Ctx, argv: string[]): void => {
    const req = parseRequest(c, argv, 1, op, fullName, false);
    const { members, scores } = sortEntries(compute(req, op));
    const r = c.reply;
    const n = members.length;
    r.array(req.withScores && r.proto === 2 ? 2 * n : n);
    for (let i = 0; i < n; i++) {
      if (req.withScores && r.proto === 3) r.array(2);
      r.bulk(members[i]);
      if (req.withScores) r.double(scores[i]);
    }
  };
}

/** ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE destination numkeys key [key …] …: the result's size; the event is the command's name. */
function zsetopStore(op: Op, fullName: string) {
  return (c: Ctx, argv: string[]): void => {
    const req = parseRequest(c, argv, 2, op, fullName, true);
    const { members, scores } = sortEntries(compute(req, op));
    storeResult(c, argv[1], ZSetValue.fromSorted(members, scores, zsetLimits(c)), fullName);
  };
}

/** ZINTERCARD numkeys key [key …] [LIMIT limit]: how many members the intersection has, counting up to the limit. */
function zintercard(c: Ctx, argv: string[]): void {
  const req = parseRequest(c, argv, 1, 'card', 'zintercard', false);
  c.reply.integer(intersection(req.sources, 'sum', req.limit, false).count);
}

const ZSET = { acl: ['sortedset'], group: 'sorted-set' } as const;
const READ = { ...ZSET, arity: -3, flags: ['readonly'], keySpecs: ['RO access: index 1, keynum 0 1 1'], getKeys: keysAfterCount(1) } as const;
const STORE = {
  ...ZSET, arity: -4, flags: ['write', 'denyoom'], keySpecs: ['OW update: index 1, range 0', 'RO access: index 2, keynum 0 1 1'],
  getKeys: keysAfterCount(2, 1),
} as const;
const OPTIONS = '[WEIGHTS weight:integer...] [AGGREGATE aggregate(SUM | MIN | MAX)]';
const UNION_COMPLEXITY = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const INTER_COMPLEXITY = 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const DIFF_COMPLEXITY = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';

export const zsetopCommands: CommandSpec[] = [
  {
    ...READ, name: 'zunion', args: `numkeys:integer key:key... ${OPTIONS} [WITHSCORES]`, since: '6.2.0',
    summary: 'Returns the union of multiple sorted sets.', complexity: UNION_COMPLEXITY, handler: zsetop('union', 'zunion'),
  },
  {
    ...READ, name: 'zinter', args: `numkeys:integer key:key... ${OPTIONS} [WITHSCORES]`, since: '6.2.0',
    summary: 'Returns the intersect of multiple sorted sets.', complexity: INTER_COMPLEXITY, handler: zsetop('inter', 'zinter'),
  },
  {
    ...READ, name: 'zdiff', args: 'numkeys:integer key:key... [WITHSCORES]', since: '6.2.0',
    summary: 'Returns the difference between multiple sorted sets.', complexity: DIFF_COMPLEXITY, handler: zsetop('diff', 'zdiff'),
  },
  {
    ...STORE, name: 'zunionstore', args: `destination:key numkeys:integer key:key#1... ${OPTIONS}`, since: '2.0.0',
    summary: 'Stores the union of multiple sorted sets in a key.',
    complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    handler: zsetopStore('union', 'zunionstore'),
  },
  {
    ...STORE, name: 'zinterstore', args: `destination:key numkeys:integer key:key#1... ${OPTIONS}`, since: '2.0.0',
    summary: 'Stores the intersect of multiple sorted sets in a key.', complexity: INTER_COMPLEXITY,
    handler: zsetopStore('inter', 'zinterstore'),
  },
  {
    ...STORE, name: 'zdiffstore', args: 'destination:key numkeys:integer key:key#1...', since: '6.2.0',
    summary: 'Stores the difference of multiple sorted sets in a key.', complexity: DIFF_COMPLEXITY,
    handler: zsetopStore('diff', 'zdiffstore'),
  },
  {
    ...READ, name: 'zintercard', args: 'numkeys:integer key:key... [LIMIT limit:integer]', since: '7.0.0',
    summary: 'Returns the number of members of the intersect of multiple sorted sets.',
    complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    handler: zintercard,
  },
];
