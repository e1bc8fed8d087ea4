import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { elementsRemoved, listEnd, writableList } from './list-access.js';
import { keysAfterCount } from '../../core/numkeys.js';
import { MOVE_KEYS, moveElement, parseMultiPop, popRangeWithKey } from './list-pop-commands.js';
import { blockingDeadline } from '../../core/timeout.js';

/** Redis answers every list wait that times out with a null array, BLMOVE's included. */
function timedOut(c: Ctx): void {
  c.reply.nullArray();
}

/**
 * Blocks on `keys` unless the command may not block (inside MULTI, later
 * scripts), in which case it answers as a timeout would: `denied`.
 */
function blockOrAnswer(c: Ctx, keys: readonly string[], deadline: number, denied: () => void): void {
  if (c.denyBlocking) denied();
  else c.block(keys, 'list', deadline, timedOut);
}

/**
 * BLPOP / BRPOP key [key …] timeout, and BLMPOP: the timeout is checked
 * first, then the keys in order; the first non-empty list is popped
 * (a key of another type fails the command), else the client blocks.
 */
function blockingPop(front: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const deadline = blockingDeadline(argv[argv.length - 1], c.keyspace.now);
    for (let i = 1; i < argv.length - 1; i++) {
      const key = argv[i];
      const list = writableList(c, key);
      if (list === undefined) continue;
      c.reply.array(2);
      c.reply.bulk(key);
      c.reply.bulk(list.pop(front));
      elementsRemoved(c, key, list, front, 1);
      if (c.propagating) c.propagateArgv = [front ? 'LPOP' : 'RPOP', key];
      return;
    }
    blockOrAnswer(c, argv.slice(1, -1), deadline, () => c.reply.nullArray());
  };
}

/** BLMPOP timeout numkeys key [key …] LEFT|RIGHT [COUNT count]: the timeout is checked after the rest. */
function blmpop(c: Ctx, argv: string[]): void {
  const { keys, front, count } = parseMultiPop(argv, 2);
  const deadline = blockingDeadline(argv[1], c.keyspace.now);
  for (const key of keys) {
    const list = writableList(c, key);
    if (list === undefined) continue;
    popRangeWithKey(c, key, list, front, count);
    return;
  }
  blockOrAnswer(c, keys, deadline, () => c.reply.nullArray());
}

/** BLMOVE and BRPOPLPUSH: only the source is waited on; the twin they propagate is `twin`. */
function blockingMove(c: Ctx, argv: string[], fromFront: boolean, toFront: boolean, deadline: number, twin: string[]): void {
  const srcKey = argv[1];
  const src = writableList(c, srcKey);
  if (src === undefined) {
    blockOrAnswer(c, [srcKey], deadline, () => c.reply.nullBulk());
    return;
  }
  moveElement(c, src, srcKey, argv[2], fromFront, toFront);
  if (c.propagating) c.propagateArgv = twin;
}

function blmove(c: Ctx, argv: string[]): void {
  const fromFront = listEnd(argv[3]);
  const toFront = listEnd(argv[4]);
  const deadline = blockingDeadline(argv[5], c.keyspace.now);
  blockingMove(c, argv, fromFront, toFront, deadline, ['LMOVE', argv[1], argv[2], argv[3], argv[4]]);
}

function brpoplpush(c: Ctx, argv: string[]): void {
  const deadline = blockingDeadline(argv[3], c.keyspace.now);
  blockingMove(c, argv, false, true, deadline, ['RPOPLPUSH', argv[1], argv[2]]);
}

/** Redis 7.2 dropped 7.0's noscript flag here: in a script these act as their non-blocking forms. */
const LIST = { acl: ['list'], group: 'list' } as const;
const TIMEOUT_DOUBLE: readonly [string, string] = ['6.0.0', '`timeout` is interpreted as a double instead of an integer.'];

export const listBlockingCommands: CommandSpec[] = [
  {
    ...LIST, name: 'blpop', arity: -3, flags: ['write', 'blocking'], keySpecs: ['RW access delete: index 1, range -2'],
    args: 'key:key... timeout:double', since: '2.0.0', history: [TIMEOUT_DOUBLE],
    summary: 'Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of provided keys.', handler: blockingPop(true),
  },
  {
    ...LIST, name: 'brpop', arity: -3, flags: ['write', 'blocking'], keySpecs: ['RW access delete: index 1, range -2'],
    args: 'key:key... timeout:double', since: '2.0.0', history: [TIMEOUT_DOUBLE],
    summary: 'Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of provided keys.', handler: blockingPop(false),
  },
  {
    ...LIST, name: 'blmpop', arity: -5, flags: ['write', 'blocking'], keySpecs: ['RW access delete: index 2, keynum 0 1 1'],
    getKeys: keysAfterCount(2),
    args: 'timeout:double numkeys:integer key:key... where(LEFT | RIGHT) [COUNT count:integer]', since: '7.0.0',
    summary: 'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    handler: blmpop,
  },
  {
    ...LIST, name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'blocking'], keySpecs: MOVE_KEYS,
    args: 'source:key destination:key#1 wherefrom(LEFT | RIGHT) whereto(LEFT | RIGHT) timeout:double', since: '6.2.0',
    summary: 'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.',
    complexity: 'O(1)', handler: blmove,
  },
  {
    ...LIST, name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'blocking'], keySpecs: MOVE_KEYS,
    args: 'source:key destination:key#1 timeout:double', since: '2.2.0', history: [TIMEOUT_DOUBLE],
    summary: 'Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(1)', docFlags: ['deprecated'], deprecatedSince: '6.2.0',
    replacedBy: '`BLMOVE` with the `RIGHT` and `LEFT` arguments', handler: brpoplpush,
  },
];
