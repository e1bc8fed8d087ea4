import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { intArg } from '../../core/numbers.js';
import { lexSpan, parseLexRange, parseScoreRange, scoreSpan, type RankSpan } from './range.js';
import { membersRemoved, writableZset } from './zset-access.js';
import type { ZSetValue } from './zset-value.js';

/** ZREM key member [member …]: stops at the member that empties the set, as Redis does. */
function zrem(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const z = writableZset(c, key);
  if (z === undefined) {
    c.reply.integer(0);
    return;
  }
  let removed = 0;
  for (let i = 2; i < argv.length && z.size > 0; i++) if (z.remove(argv[i])) removed++;
  if (removed > 0) membersRemoved(c, key, z, 'zrem', removed);
  c.reply.integer(removed);
}

/**
 * ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX: the range is read
 * (`span`, which throws on bad arguments) before the key is looked up, and
 * then applied to the set.
 */
function zremrange(event: string, parse: (argv: string[]) => (z: ZSetValue) => RankSpan) {
  return (c: Ctx, argv: string[]): void => {
    const span = parse(argv);
    const key = argv[1];
    const z = writableZset(c, key);
    if (z === undefined) {
      c.reply.integer(0);
      return;
    }
    const { start, end } = span(z);
    const removed = end - start;
    if (removed > 0) {
      z.removeRange(start, removed);
      membersRemoved(c, key, z, event, removed);
    }
    c.reply.integer(removed);
  };
}

function byRank(argv: string[]): (z: ZSetValue) => RankSpan {
  let start = intArg(argv[2]);
  let end = intArg(argv[3]);
  return (z) => {
    const n = z.size;
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (start < 0) start = 0;
    if (start > end || start >= n) return { start: 0, end: 0 };
    return { start, end: Math.min(end, n - 1) + 1 };
  };
}

function byScore(argv: string[]): (z: ZSetValue) => RankSpan {
  const range = parseScoreRange(argv[2], argv[3]);
  return (z) => scoreSpan(z, range);
}

function byLex(argv: string[]): (z: ZSetValue) => RankSpan {
  const range = parseLexRange(argv[2], argv[3]);
  return (z) => lexSpan(z, range);
}

const ZSET = { acl: ['sortedset'], group: 'sorted-set' } as const;
const REMOVE = { ...ZSET, arity: 4, flags: ['write'], keySpecs: ['RW delete: index 1, range 0'] } as const;
const RANGE_COMPLEXITY =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';

export const zremCommands: CommandSpec[] = [
  {
    ...ZSET, name: 'zrem', arity: -3, flags: ['write', 'fast'], keySpecs: ['RW delete: index 1, range 0'],
    args: 'key:key member...', since: '1.2.0', history: [['2.4.0', 'Accepts multiple elements.']],
    summary: 'Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.',
    complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    handler: zrem,
  },
  {
    ...REMOVE, name: 'zremrangebyrank', args: 'key:key start:integer stop:integer', since: '2.0.0',
    summary: 'Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.',
    complexity: RANGE_COMPLEXITY, handler: zremrange('zremrangebyrank', byRank),
  },
  {
    ...REMOVE, name: 'zremrangebyscore', args: 'key:key min:double max:double', since: '1.2.0',
    summary: 'Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.',
    complexity: RANGE_COMPLEXITY, handler: zremrange('zremrangebyscore', byScore),
  },
  {
    ...REMOVE, name: 'zremrangebylex', args: 'key:key min max', since: '2.8.9',
    summary: 'Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.',
    complexity: RANGE_COMPLEXITY, handler: zremrange('zremrangebylex', byLex),
  },
];
