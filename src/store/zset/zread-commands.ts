import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX, wrongArity } from '../../core/errors.js';
import { optionWord } from '../../core/options.js';
import { lexSpan, parseLexRange, parseScoreRange, scoreSpan } from './range.js';
import { readZset } from './zset-access.js';

function zcard(c: Ctx, argv: string[]): void {
  c.reply.integer(readZset(c, argv[1])?.size ?? 0);
}

function zscore(c: Ctx, argv: string[]): void {
  const score = readZset(c, argv[1])?.score(argv[2]);
  if (score === undefined) c.reply.nullBulk();
  else c.reply.double(score);
}

/** ZMSCORE key member [member …]: a missing key answers as an empty set. */
function zmscore(c: Ctx, argv: string[]): void {
  const z = readZset(c, argv[1]);
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i]);
    if (score === undefined) c.reply.nullBulk();
    else c.reply.double(score);
  }
}

/** ZCOUNT key min max: the range is read before the key. */
function zcount(c: Ctx, argv: string[]): void {
  const range = parseScoreRange(argv[2], argv[3]);
  const z = readZset(c, argv[1]);
  if (z === undefined) {
    c.reply.integer(0);
    return;
  }
  const { start, end } = scoreSpan(z, range);
  c.reply.integer(end - start);
}

function zlexcount(c: Ctx, argv: string[]): void {
  const range = parseLexRange(argv[2], argv[3]);
  const z = readZset(c, argv[1]);
  if (z === undefined) {
    c.reply.integer(0);
    return;
  }
  const { start, end } = lexSpan(z, range);
  c.reply.integer(end - start);
}

/** ZRANK / ZREVRANK key member [WITHSCORE]: the rank, or [rank, score] (7.2), nil when absent. */
function zrank(reverse: boolean) {
  const name = reverse ? 'zrevrank' : 'zrank';
  return (c: Ctx, argv: string[]): void => {
    if (argv.length > 4) throw new CommandError(wrongArity(name));
    const withScore = argv.length === 4;
    if (withScore && optionWord(argv[3]) !== 'withscore') throw new CommandError(SYNTAX);
    const z = readZset(c, argv[1]);
    const rank = z === undefined ? -1 : z.rank(argv[2]);
    if (rank === -1) {
      if (withScore) c.reply.nullArray();
      else c.reply.nullBulk();
      return;
    }
    const r = reverse ? z!.size - 1 - rank : rank;
    if (!withScore) {
      c.reply.integer(r);
      return;
    }
    c.reply.array(2);
    c.reply.integer(r);
    c.reply.double(z!.score(argv[2])!);
  };
}

const ZSET = { acl: ['sortedset'], group: 'sorted-set' } as const;
const READ = { ...ZSET, flags: ['readonly', 'fast'], keySpecs: ['RO access: index 1, range 0'] } as const;
const WITHSCORE: readonly [string, string] = ['7.2.0', 'Added the optional `WITHSCORE` argument.'];

export const zreadCommands: CommandSpec[] = [
  {
    ...ZSET, name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keySpecs: ['RO: index 1, range 0'], args: 'key:key',
    since: '1.2.0', summary: 'Returns the number of members in a sorted set.', complexity: 'O(1)', handler: zcard,
  },
  {
    ...READ, name: 'zscore', arity: 3, args: 'key:key member', since: '1.2.0',
    summary: 'Returns the score of a member in a sorted set.', complexity: 'O(1)', handler: zscore,
  },
  {
    ...READ, name: 'zmscore', arity: -3, args: 'key:key member...', since: '6.2.0',
    summary: 'Returns the score of one or more members in a sorted set.',
    complexity: 'O(N) where N is the number of members being requested.', handler: zmscore,
  },
  {
    ...READ, name: 'zcount', arity: 4, args: 'key:key min:double max:double', since: '2.0.0',
    summary: 'Returns the count of members in a sorted set that have scores within a range.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: zcount,
  },
  {
    ...READ, name: 'zlexcount', arity: 4, args: 'key:key min max', since: '2.8.9',
    summary: 'Returns the number of members in a sorted set within a lexicographical range.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: zlexcount,
  },
  {
    ...READ, name: 'zrank', arity: -3, args: 'key:key member [WITHSCORE]', since: '2.0.0', history: [WITHSCORE],
    summary: 'Returns the index of a member in a sorted set ordered by ascending scores.', complexity: 'O(log(N))',
    handler: zrank(false),
  },
  {
    ...READ, name: 'zrevrank', arity: -3, args: 'key:key member [WITHSCORE]', since: '2.0.0', history: [WITHSCORE],
    summary: 'Returns the index of a member in a sorted set ordered by descending scores.', complexity: 'O(log(N))',
    handler: zrank(true),
  },
];
