import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, WRONGTYPE, wrongArity } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { MutableString } from '../../keyspace/mutable-string.js';
import { isString } from '../../keyspace/value.js';
import { counterCommands } from './string-counter-commands.js';
import { lcsCommands } from './lcs-commands.js';
import { setCommands } from './string-set-commands.js';
import {
  checkStringLength, mutableString, readBytes, readString, replyString, storeChanged, writableBytes,
} from './string-access.js';

/** The hottest command: one lookup, one bulk. */
function get(c: Ctx, argv: string[]): void {
  const v = c.db.read(argv[1]);
  if (v === undefined) c.reply.nullBulk();
  else if (typeof v === 'string') c.reply.bulk(v);
  else if (isString(v)) replyString(c, v);
  else throw new CommandError(WRONGTYPE);
}

function getset(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const old = readString(c, key);
  c.db.setKey(key, argv[2]);
  c.keyspace.notify(c.db, '$', 'set', key);
  if (c.propagating) c.propagateArgv = ['SET', key, argv[2]];
  if (old === undefined) c.reply.nullBulk();
  else replyString(c, old);
}

function getdel(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const old = readString(c, key);
  if (old === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.db.delete(key);
  c.keyspace.notify(c.db, 'g', 'del', key);
  if (c.propagating) c.propagateArgv = ['DEL', key];
  replyString(c, old);
}

/** Non-strings read as nil here rather than failing the whole reply. */
function mget(c: Ctx, argv: string[]): void {
  c.reply.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = c.db.read(argv[i]);
    if (v !== undefined && isString(v)) replyString(c, v);
    else c.reply.nullBulk();
  }
}

function checkPairs(argv: string[]): void {
  if (argv.length % 2 === 0) throw new CommandError(wrongArity(argv[0].toLowerCase()));
}

/** MSET's keys may exist, so each is looked up to be written (Redis's setKey); MSETNX's are all new. */
function setPairs(c: Ctx, argv: string[]): void {
  for (let i = 1; i < argv.length; i += 2) {
    c.db.setKey(argv[i], argv[i + 1]);
    c.keyspace.notify(c.db, '$', 'set', argv[i]);
  }
}

function mset(c: Ctx, argv: string[]): void {
  checkPairs(argv);
  setPairs(c, argv);
  c.reply.ok();
}

/** All or nothing: one existing key and nothing is set. */
function msetnx(c: Ctx, argv: string[]): void {
  checkPairs(argv);
  for (let i = 1; i < argv.length; i += 2) {
    if (c.db.get(argv[i]) !== undefined) {
      c.reply.integer(0);
      return;
    }
  }
  setPairs(c, argv);
  c.reply.integer(1);
}

/**
 * A new key gets the argument as SET would store it; an existing value is
 * extended in place, and so becomes raw even when nothing is appended, as
 * in Redis.
 */
function append(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const piece = argv[2];
  const old = writableBytes(c, key);
  let length: number;
  if (old === undefined) {
    c.db.set(key, piece);
    length = piece.length;
  } else {
    checkStringLength(c, old.length + piece.length);
    const next = mutableString(old);
    next.append(piece);
    storeChanged(c, key, old, next);
    length = next.length;
  }
  c.keyspace.notify(c.db, '$', 'append', key);
  c.reply.integer(length);
}

function strlen(c: Ctx, argv: string[]): void {
  const v = readBytes(c, argv[1]);
  c.reply.integer(v === undefined ? 0 : v.length);
}

/** GETRANGE and SUBSTR: inclusive byte range, negative indices from the end. */
function getrange(c: Ctx, argv: string[]): void {
  let start = intArg(argv[2]);
  let end = intArg(argv[3]);
  const v = readBytes(c, argv[1]);
  if (v === undefined || (start < 0 && end < 0 && start > end)) {
    c.reply.bulk('');
    return;
  }
  const len = v.length;
  if (start < 0) start = Math.max(0, len + start);
  if (end < 0) end = Math.max(0, len + end);
  if (end >= len) end = len - 1;
  if (start > end || len === 0) c.reply.bulk('');
  else if (typeof v === 'string') c.reply.bulk(v.slice(start, end + 1));
  else v.writeBulk(c.reply, start, end + 1);
}

function setrange(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const offset = intArg(argv[2]);
  const value = argv[3];
  if (offset < 0) throw new CommandError('ERR offset is out of range');
  const old = writableBytes(c, key);
  if (value.length === 0) {
    c.reply.integer(old === undefined ? 0 : old.length);
    return;
  }
  checkStringLength(c, offset + value.length);
  let next: MutableString;
  if (old === undefined) {
    next = MutableString.zeroed(offset + value.length);
    next.setRange(offset, value);
    c.db.set(key, next);
  } else {
    next = mutableString(old);
    next.setRange(offset, value);
    storeChanged(c, key, old, next);
  }
  c.keyspace.notify(c.db, '$', 'setrange', key);
  c.reply.integer(next.length);
}

const RANGE_COMPLEXITY =
  'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';

const STRING = { acl: ['string'], group: 'string' } as const;

const basicCommands: CommandSpec[] = [
  {
    ...STRING, name: 'get', arity: 2, flags: ['readonly', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key', since: '1.0.0', summary: 'Returns the string value of a key.', complexity: 'O(1)', handler: get,
  },
  {
    ...STRING, name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW access update: index 1, range 0'],
    args: 'key:key value', since: '1.0.0', summary: 'Returns the previous string value of a key after setting it to a new value.',
    complexity: 'O(1)', docFlags: ['deprecated'], deprecatedSince: '6.2.0', replacedBy: '`SET` with the `!GET` argument',
    handler: getset,
  },
  {
    ...STRING, name: 'getdel', arity: 2, flags: ['write', 'fast'], keySpecs: ['RW access delete: index 1, range 0'],
    args: 'key:key', since: '6.2.0', summary: 'Returns the string value of a key after deleting the key.',
    complexity: 'O(1)', handler: getdel,
  },
  {
    ...STRING, name: 'mget', arity: -2, flags: ['readonly', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RO access: index 1, range -1'],
    args: 'key:key...', since: '1.0.0', summary: 'Atomically returns the string values of one or more keys.',
    complexity: 'O(N) where N is the number of keys to retrieve.', tips: ['request_policy:multi_shard'], handler: mget,
  },
  {
    ...STRING, name: 'mset', arity: -3, flags: ['write', 'denyoom'], traits: ['keeps-no-argv'], keySpecs: ['OW update: index 1, range -1 2'],
    args: 'data{key:key value}...', since: '1.0.1',
    summary: 'Atomically creates or modifies the string values of one or more keys.',
    complexity: 'O(N) where N is the number of keys to set.',
    tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'], handler: mset,
  },
  {
    // Redis 7.2 dropped 7.0's multi_shard/agg_min tips: MSETNX cannot be atomic across shards.
    ...STRING, name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keySpecs: ['OW insert: index 1, range -1 2'],
    args: 'data{key:key value}...', since: '1.0.1',
    summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    complexity: 'O(N) where N is the number of keys to set.', handler: msetnx,
  },
  {
    ...STRING, name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW insert: index 1, range 0'],
    args: 'key:key value', since: '2.0.0',
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
    complexity:
      'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
    handler: append,
  },
  {
    ...STRING, name: 'strlen', arity: 2, flags: ['readonly', 'fast'], keySpecs: ['RO: index 1, range 0'], args: 'key:key',
    since: '2.2.0', summary: 'Returns the length of a string value.', complexity: 'O(1)', handler: strlen,
  },
  {
    ...STRING, name: 'getrange', arity: 4, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key start:integer end:integer', since: '2.4.0',
    summary: 'Returns a substring of the string stored at a key.', complexity: RANGE_COMPLEXITY, handler: getrange,
  },
  {
    ...STRING, name: 'substr', arity: 4, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key start:integer end:integer', since: '1.0.0', summary: 'Returns a substring from a string value.',
    complexity: RANGE_COMPLEXITY, docFlags: ['deprecated'], deprecatedSince: '2.0.0', replacedBy: '`GETRANGE`',
    handler: getrange,
  },
  {
    ...STRING, name: 'setrange', arity: 4, flags: ['write', 'denyoom'], keySpecs: ['RW update: index 1, range 0'],
    args: 'key:key offset:integer value', since: '2.2.0',
    summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
    complexity:
      'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
    handler: setrange,
  },
];

/** The string family: plain access, SET and its variants, counters, LCS. */
export const stringCommands: CommandSpec[] = [...basicCommands, ...setCommands, ...counterCommands, ...lcsCommands];
