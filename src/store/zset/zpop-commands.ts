import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { keysAfterCount } from '../../core/numkeys.js';
import { blockingDeadline } from '../../core/timeout.js';
import { firstZset, parseMultiPop, popEffect, popMembers } from './zpop.js';
import type { ZSetValue } from './zset-value.js';

/** ZPOPMIN / ZPOPMAX key [count]: flat member, score…; with a count, [member, score] pairs in RESP3. */
function zpop(max: boolean) {
  return (c: Ctx, argv: string[]): void => {
    if (argv.length > 3) throw new CommandError(SYNTAX);
    let count = -1;
    if (argv.length === 3) {
      // Redis gives this one message for a count that is not an integer too.
      const n = toInt64(argv[2]);
      if (n === null || n < 0n) throw new CommandError('ERR value is out of range, must be positive');
      count = Number(n);
    }
    const found = firstZset(c, [argv[1]]);
    if (found === null || count === 0) {
      c.reply.array(0);
      return;
    }
    popMembers(c, found.key, found.z, max, count === -1 ? 1 : count, c.reply.proto === 3 && count !== -1 ? 'pairs' : 'flat');
  };
}

/** ZMPOP numkeys key [key …] MIN|MAX [COUNT count]: from the first existing set, propagated as ZPOPMIN/ZPOPMAX key n. */
function zmpop(c: Ctx, argv: string[]): void {
  const { keys, max, count } = parseMultiPop(argv, 1);
  const found = firstZset(c, keys);
  if (found === null) {
    c.reply.nullArray();
    return;
  }
  const n = popMembers(c, found.key, found.z, max, count, 'nested');
  if (c.propagating) c.propagateArgv = popEffect(found.key, max, n);
}

/** A wait that ends without a member, BZMPOP's included, answers a null array. */
function timedOut(c: Ctx): void {
  c.reply.nullArray();
}

/**
 * Pops from the first of `keys` holding a set, or blocks on all of them
 * (inside MULTI or a script, answers as a timeout would). A served client
 * runs its command again, which pops and propagates as here.
 */
function popOrBlock(c: Ctx, keys: readonly string[], deadline: number, pop: (key: string, z: ZSetValue) => void): void {
  const found = firstZset(c, keys);
  if (found !== null) {
    pop(found.key, found.z);
    return;
  }
  if (c.denyBlocking) timedOut(c);
  else c.block(keys, 'zset', deadline, timedOut);
}

/** BZPOPMIN / BZPOPMAX key [key …] timeout: the timeout is read first; [key, member, score]; propagated as ZPOPMIN/ZPOPMAX key. */
function bzpop(max: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const deadline = blockingDeadline(argv[argv.length - 1], c.keyspace.now);
    const keys = argv.slice(1, -1);
    popOrBlock(c, keys, deadline, (key, z) => {
      popMembers(c, key, z, max, 1, 'keyed');
      if (c.propagating) c.propagateArgv = [max ? 'ZPOPMAX' : 'ZPOPMIN', key];
    });
  };
}

/** BZMPOP timeout numkeys key [key …] MIN|MAX [COUNT count]: the timeout is read after the rest. */
function bzmpop(c: Ctx, argv: string[]): void {
  const { keys, max, count } = parseMultiPop(argv, 2);
  const deadline = blockingDeadline(argv[1], c.keyspace.now);
  popOrBlock(c, keys, deadline, (key, z) => {
    const n = popMembers(c, key, z, max, count, 'nested');
    if (c.propagating) c.propagateArgv = popEffect(key, max, n);
  });
}

const ZSET = { acl: ['sortedset'], group: 'sorted-set' } as const;
const POP_COMPLEXITY = 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.';
const MPOP_COMPLEXITY =
  'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.';
const TIMEOUT_DOUBLE: readonly [string, string] = ['6.0.0', '`timeout` is interpreted as a double instead of an integer.'];

export const zpopCommands: CommandSpec[] = [
  {
    ...ZSET, name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keySpecs: ['RW access delete: index 1, range 0'],
    args: 'key:key [count:integer]', since: '5.0.0',
    summary: 'Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
    complexity: POP_COMPLEXITY, handler: zpop(false),
  },
  {
    ...ZSET, name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keySpecs: ['RW access delete: index 1, range 0'],
    args: 'key:key [count:integer]', since: '5.0.0',
    summary: 'Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
    complexity: POP_COMPLEXITY, handler: zpop(true),
  },
  {
    ...ZSET, name: 'zmpop', arity: -4, flags: ['write'], keySpecs: ['RW access delete: index 1, keynum 0 1 1'],
    getKeys: keysAfterCount(1), args: 'numkeys:integer key:key... where(MIN | MAX) [COUNT count:integer]', since: '7.0.0',
    summary: 'Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.',
    complexity: MPOP_COMPLEXITY, handler: zmpop,
  },
  {
    ...ZSET, name: 'bzpopmin', arity: -3, flags: ['write', 'blocking', 'fast'], keySpecs: ['RW access delete: index 1, range -2'],
    args: 'key:key... timeout:double', since: '5.0.0', history: [TIMEOUT_DOUBLE],
    summary: 'Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: bzpop(false),
  },
  {
    ...ZSET, name: 'bzpopmax', arity: -3, flags: ['write', 'blocking', 'fast'], keySpecs: ['RW access delete: index 1, range -2'],
    args: 'key:key... timeout:double', since: '5.0.0', history: [TIMEOUT_DOUBLE],
    summary: 'Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: bzpop(true),
  },
  {
    ...ZSET, name: 'bzmpop', arity: -5, flags: ['write', 'blocking'], keySpecs: ['RW access delete: index 2, keynum 0 1 1'],
    getKeys: keysAfterCount(2), args: 'timeout:double numkeys:integer key:key... where(MIN | MAX) [COUNT count:integer]',
    since: '7.0.0',
    summary: 'Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
    complexity: MPOP_COMPLEXITY, handler: bzmpop,
  },
];
