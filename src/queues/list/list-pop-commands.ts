import { optionWord } from '../../core/options.js';
import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { keysAfterCount } from '../../core/numkeys.js';
import { CommandError, SYNTAX, wrongArity } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { elementsRemoved, listEnd, listFill, writableList } from './list-access.js';
import { ListValue } from './list-value.js';
import { isListpackInt } from './listpack-size.js';

/** Redis's getRangeLongFromObjectOrReply(1, LONG_MAX) with its own message for any bad value. */
function positiveArg(s: string, message: string): number {
  const n = toInt64(s);
  if (n === null || n < 1n) throw new CommandError(message);
  return Number(n);
}

/**
 * Pops up to `count` elements from one end of a non-empty list and replies
 * [key, [elements…]] (LMPOP, BLMPOP), propagating [LR]POP key n.
 */
export function popRangeWithKey(c: Ctx, key: string, list: ListValue, front: boolean, count: number): void {
  const n = Math.min(count, list.length);
  c.reply.array(2);
  c.reply.bulk(key);
  c.reply.array(n);
  for (let k = 0; k < n; k++) c.reply.bulk(list.pop(front));
  elementsRemoved(c, key, list, front, n);
  if (c.propagating) c.propagateArgv = [front ? 'LPOP' : 'RPOP', key, String(n)];
}

/**
 * The arguments LMPOP and BLMPOP share after their numkeys position: the
 * keys, LEFT|RIGHT and an optional COUNT, checked in Redis's order.
 */
export interface MultiPop {
  keys: string[];
  front: boolean;
  count: number;
}

export function parseMultiPop(argv: string[], numkeysAt: number): MultiPop {
  const numkeys = positiveArg(argv[numkeysAt], 'ERR numkeys should be greater than 0');
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= argv.length) throw new CommandError(SYNTAX);
  const front = listEnd(argv[whereAt]);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && optionWord(argv[j]) === 'count' && j < argv.length - 1) {
      count = positiveArg(argv[++j], 'ERR count should be greater than 0');
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return { keys: argv.slice(numkeysAt + 1, whereAt), front, count: count === -1 ? 1 : count };
}

/** LPOP key [count], RPOP key [count]: one element as a bulk, or with a count an array of up to count. */
function pop(front: boolean) {
  return (c: Ctx, argv: string[]): void => {
    if (argv.length > 3) throw new CommandError(wrongArity(front ? 'lpop' : 'rpop'));
    const withCount = argv.length === 3;
    let count = 0;
    if (withCount) {
      const n = toInt64(argv[2]);
      if (n === null || n < 0n) throw new CommandError('ERR value is out of range, must be positive');
      count = Number(n);
    }
    const key = argv[1];
    const list = writableList(c, key);
    if (list === undefined) {
      if (withCount) c.reply.nullArray();
      else c.reply.nullBulk();
      return;
    }
    if (!withCount) {
      c.reply.bulk(list.pop(front));
      elementsRemoved(c, key, list, front, 1);
      return;
    }
    const n = Math.min(count, list.length);
    c.reply.array(n);
    if (n === 0) return;
    for (let k = 0; k < n; k++) c.reply.bulk(list.pop(front));
    elementsRemoved(c, key, list, front, n);
  };
}

/** LMPOP numkeys key [key …] LEFT|RIGHT [COUNT count]: from the first non-empty list, as LPOP/RPOP key n. */
function lmpop(c: Ctx, argv: string[]): void {
  const { keys, front, count } = parseMultiPop(argv, 1);
  for (const key of keys) {
    const list = writableList(c, key);
    if (list === undefined) continue;
    popRangeWithKey(c, key, list, front, count);
    return;
  }
  c.reply.nullArray();
}

/**
 * Moves one element from the source list (which must exist) to an end of
 * the destination, creating it; Redis's lmoveGenericCommand. Events: the
 * push on the destination, then the pop (and 'del') on the source.
 */
export function moveElement(c: Ctx, src: ListValue, srcKey: string, dstKey: string, fromFront: boolean, toFront: boolean): void {
  let dst = writableList(c, dstKey);
  // A popped integer comes out of a quicklist as an integer object, whose length Redis does not count.
  const quicklistSource = src.encoding() === 'quicklist';
  // A list's elements are strings of their own (a packed chunk's are read out of bytes), so one is stored as it is.
  const v = src.pop(fromFront);
  const ks = c.keyspace;
  if (dst === undefined) {
    dst = new ListValue();
    c.db.put(dstKey, dst, -1);
  }
  c.db.signal(dstKey);
  dst.growing(quicklistSource && isListpackInt(v) ? 0 : v.length, 1, listFill(c));
  dst.push(v, toFront);
  ks.notify(c.db, 'l', toFront ? 'lpush' : 'rpush', dstKey);
  c.reply.bulk(v);
  elementsRemoved(c, srcKey, src, fromFront, 1);
}

function lmoveGeneric(c: Ctx, srcKey: string, dstKey: string, fromFront: boolean, toFront: boolean): void {
  const src = writableList(c, srcKey);
  if (src === undefined) {
    c.reply.nullBulk();
    return;
  }
  moveElement(c, src, srcKey, dstKey, fromFront, toFront);
}

function lmove(c: Ctx, argv: string[]): void {
  const fromFront = listEnd(argv[3]);
  const toFront = listEnd(argv[4]);
  lmoveGeneric(c, argv[1], argv[2], fromFront, toFront);
}

function rpoplpush(c: Ctx, argv: string[]): void {
  lmoveGeneric(c, argv[1], argv[2], false, true);
}

const POP_COMPLEXITY = 'O(N) where N is the number of elements returned';

const LIST = { acl: ['list'], group: 'list' } as const;
/** The source of a move loses an element, the destination gains one. */
export const MOVE_KEYS = ['RW access delete: index 1, range 0', 'RW insert: index 2, range 0'];

export const listPopCommands: CommandSpec[] = [
  {
    ...LIST, name: 'lpop', arity: -2, flags: ['write', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RW access delete: index 1, range 0'],
    args: 'key:key [count:integer @6.2.0]', since: '1.0.0', history: [['6.2.0', 'Added the `count` argument.']],
    summary: 'Returns the first elements in a list after removing it. Deletes the list if the last element was popped.',
    complexity: POP_COMPLEXITY, handler: pop(true),
  },
  {
    ...LIST, name: 'rpop', arity: -2, flags: ['write', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RW access delete: index 1, range 0'],
    args: 'key:key [count:integer @6.2.0]', since: '1.0.0', history: [['6.2.0', 'Added the `count` argument.']],
    summary: 'Returns and removes the last elements of a list. Deletes the list if the last element was popped.',
    complexity: POP_COMPLEXITY, handler: pop(false),
  },
  {
    ...LIST, name: 'lmpop', arity: -4, flags: ['write'], keySpecs: ['RW access delete: index 1, keynum 0 1 1'],
    getKeys: keysAfterCount(1), args: 'numkeys:integer key:key... where(LEFT | RIGHT) [COUNT count:integer]',
    since: '7.0.0',
    summary: 'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    handler: lmpop,
  },
  {
    ...LIST, name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keySpecs: MOVE_KEYS,
    args: 'source:key destination:key#1 wherefrom(LEFT | RIGHT) whereto(LEFT | RIGHT)', since: '6.2.0',
    summary: 'Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.',
    complexity: 'O(1)', handler: lmove,
  },
  {
    ...LIST, name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keySpecs: MOVE_KEYS,
    args: 'source:key destination:key#1', since: '1.2.0',
    summary: 'Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.',
    complexity: 'O(1)', docFlags: ['deprecated'], deprecatedSince: '6.2.0',
    replacedBy: '`LMOVE` with the `RIGHT` and `LEFT` arguments', handler: rpoplpush,
  },
];
