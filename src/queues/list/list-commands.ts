import { optionWord } from '../../core/options.js';
import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, NO_SUCH_KEY, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { listBlockingCommands } from './list-blocking-commands.js';
import { listFill, pushElements, readList, writableList } from './list-access.js';
import { listPopCommands } from './list-pop-commands.js';
import { listRangeCommands } from './list-range-commands.js';

const INDEX_OUT_OF_RANGE = 'ERR index out of range';

/** LPUSH, RPUSH, and with `existing` LPUSHX, RPUSHX: the new length. */
function push(front: boolean, existing: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const key = argv[1];
    const list = writableList(c, key);
    if (list === undefined && existing) {
      c.reply.integer(0);
      return;
    }
    c.reply.integer(pushElements(c, key, list, argv, 2, front).length);
  };
}

function llen(c: Ctx, argv: string[]): void {
  const list = readList(c, argv[1]);
  c.reply.integer(list === undefined ? 0 : list.length);
}

/** An index counted from the head, or from the tail when negative; -1 (or length) when outside. */
function resolveIndex(index: number, length: number): number {
  return index < 0 ? length + index : index;
}

/** LINDEX: O(1) here; Redis's documented O(N) is the bound. The index is read after the key, as in Redis. */
function lindex(c: Ctx, argv: string[]): void {
  const list = readList(c, argv[1]);
  if (list === undefined) {
    c.reply.nullBulk();
    return;
  }
  const i = resolveIndex(intArg(argv[2]), list.length);
  if (i < 0 || i >= list.length) c.reply.nullBulk();
  else c.reply.bulk(list.get(i));
}

/**
 * The index LSET uses where the one given is past 32 bits, else null:
 * Redis 7.2 reads it as a 64-bit integer, then hands it to
 * listTypeReplaceAtIndex as a C int, so only its low 32 bits count
 * (4294967296 is the head, 2^63-1 the tail). A Redis 7.2 master's LSET
 * must change on a Sluice replica the element it changed on the master.
 */
function int32Index(arg: string, index: number): number | null {
  return index === (index | 0) ? null : Number(BigInt.asIntN(32, toInt64(arg)!));
}

function lset(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const list = writableList(c, key);
  if (list === undefined) throw new CommandError(NO_SUCH_KEY);
  const given = intArg(argv[2]);
  const cut = int32Index(argv[2], given);
  const index = cut ?? given;
  const value = argv[3];
  // As in Redis, the encoding is settled for the new value before the index is checked.
  list.growing(value.length, 1, listFill(c));
  const i = resolveIndex(index, list.length);
  if (i < 0 || i >= list.length) throw new CommandError(INDEX_OUT_OF_RANGE);
  list.set(i, value);
  c.db.modified(key);
  c.keyspace.notify(c.db, 'l', 'lset', key);
  // Replicas and the AOF get the index that was used: a Redis 7.0 replica would refuse the one sent.
  if (cut !== null && c.propagating) c.propagateArgv = ['LSET', key, String(cut), value];
  list.shrunk(listFill(c));
  c.reply.ok();
}

/** LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key. */
function linsert(c: Ctx, argv: string[]): void {
  const where = optionWord(argv[2]);
  if (where !== 'before' && where !== 'after') throw new CommandError(SYNTAX);
  const key = argv[1];
  const list = writableList(c, key);
  if (list === undefined) {
    c.reply.integer(0);
    return;
  }
  const pivot = argv[3];
  const value = argv[4];
  list.growing(value.length, 1, listFill(c));
  const at = list.find(pivot, 0, list.length, false);
  if (at === -1) {
    c.reply.integer(-1);
    return;
  }
  list.insert(where === 'after' ? at + 1 : at, value);
  c.db.modified(key);
  c.keyspace.notify(c.db, 'l', 'linsert', key);
  c.reply.integer(list.length);
}

/** LREM key count element: removes up to |count| matches from the head (count > 0), the tail (< 0), or all (0). */
function lrem(c: Ctx, argv: string[]): void {
  const count = intArg(argv[2]);
  const key = argv[1];
  const list = writableList(c, key);
  if (list === undefined) {
    c.reply.integer(0);
    return;
  }
  const removed = list.removeEqual(argv[3], Math.abs(count), count < 0);
  const ks = c.keyspace;
  if (removed > 0) {
    c.db.modified(key);
    ks.dirty += removed - 1;
    ks.notify(c.db, 'l', 'lrem', key);
  }
  if (list.length === 0) {
    c.db.remove(key);
    ks.notify(c.db, 'g', 'del', key);
  } else if (removed > 0) {
    list.shrunk(listFill(c));
  }
  c.reply.integer(removed);
}

const PUSH_COMPLEXITY =
  'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';

const LIST = { acl: ['list'], group: 'list' } as const;
const PUSH = {
  ...LIST, arity: -3, flags: ['write', 'denyoom', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RW insert: index 1, range 0'],
  args: 'key:key element...', complexity: PUSH_COMPLEXITY,
} as const;

const basicCommands: CommandSpec[] = [
  {
    ...PUSH, name: 'lpush', since: '1.0.0', history: [['2.4.0', 'Accepts multiple `element` arguments.']],
    summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.", handler: push(true, false),
  },
  {
    ...PUSH, name: 'rpush', since: '1.0.0', history: [['2.4.0', 'Accepts multiple `element` arguments.']],
    summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.", handler: push(false, false),
  },
  {
    ...PUSH, name: 'lpushx', since: '2.2.0', history: [['4.0.0', 'Accepts multiple `element` arguments.']],
    summary: 'Prepends one or more elements to a list only when the list exists.', handler: push(true, true),
  },
  {
    ...PUSH, name: 'rpushx', since: '2.2.0', history: [['4.0.0', 'Accepts multiple `element` arguments.']],
    summary: 'Appends an element to a list only when the list exists.', handler: push(false, true),
  },
  {
    ...LIST, name: 'llen', arity: 2, flags: ['readonly', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RO: index 1, range 0'], args: 'key:key',
    since: '1.0.0', summary: 'Returns the length of a list.', complexity: 'O(1)', handler: llen,
  },
  {
    ...LIST, name: 'lindex', arity: 3, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key index:integer', since: '1.0.0', summary: 'Returns an element from a list by its index.',
    complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
    handler: lindex,
  },
  {
    ...LIST, name: 'lset', arity: 4, flags: ['write', 'denyoom'], keySpecs: ['RW update: index 1, range 0'],
    args: 'key:key index:integer element', since: '1.0.0', summary: 'Sets the value of an element in a list by its index.',
    complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
    handler: lset,
  },
  {
    ...LIST, name: 'linsert', arity: 5, flags: ['write', 'denyoom'], keySpecs: ['RW insert: index 1, range 0'],
    args: 'key:key where(BEFORE | AFTER) pivot element', since: '2.2.0',
    summary: 'Inserts an element before or after another element in a list.',
    complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
    handler: linsert,
  },
  {
    ...LIST, name: 'lrem', arity: 4, flags: ['write'], keySpecs: ['RW delete: index 1, range 0'],
    args: 'key:key count:integer element', since: '1.0.0',
    summary: 'Removes elements from a list. Deletes the list if the last element was removed.',
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.', handler: lrem,
  },
];

/** The list family: pushes and element access here, ranges, pops and moves, and the blocking pops. */
export const listCommands: CommandSpec[] = [
  ...basicCommands,
  ...listRangeCommands,
  ...listPopCommands,
  ...listBlockingCommands,
];
