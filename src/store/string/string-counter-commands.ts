import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, NOT_FLOAT, NOT_INTEGER, OVERFLOW } from '../../core/errors.js';
import {
  addLongDouble, formatLongDouble, MAX_LONG_DOUBLE_CHARS, parseLongDouble, type LongDouble,
} from '../../core/long-double.js';
import { integerText } from '../../core/numbers.js';
import { isInt64, smallInt, toInt64 } from '../../codecs/integer-text.js';
import type { StringValue } from '../../keyspace/value.js';
import { shortText, writableBytes, writableString } from './string-access.js';

const INT64_MIN = -(2n ** 63n);
/** The longest int64 in decimal: "-9223372036854775808". */
const INT64_CHARS = 20;

/** An int64 as Redis's string2ll reads it: a number when small, a bigint otherwise, null if invalid. */
function parseInteger(s: string): number | bigint | null {
  // Below 10^15 in magnitude a value and any sum of two stay exact as doubles.
  const small = smallInt(s);
  return small === small ? small : toInt64(s);
}

function integerArg(s: string): number | bigint {
  const n = parseInteger(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  return n;
}

/** The integer a counter's old value holds (a number as it is), null when it holds none. */
function counterValue(old: StringValue): number | bigint | null {
  if (typeof old === 'number') return old;
  const text = shortText(old, INT64_CHARS);
  return text === null ? null : parseInteger(text);
}

/**
 * INCR/DECR/INCRBY/DECRBY: exact over the whole int64 range, the TTL kept.
 * A result that is a safe integer is stored as a number (see StringValue).
 */
function incrBy(c: Ctx, key: string, by: number | bigint): void {
  const old = writableString(c, key);
  const cur = old === undefined ? 0 : counterValue(old);
  if (cur === null) throw new CommandError(NOT_INTEGER);
  let next: number | bigint;
  if (typeof cur === 'number' && typeof by === 'number' && Number.isSafeInteger(cur + by)) {
    next = cur + by;
  } else {
    next = BigInt(cur) + BigInt(by);
    if (!isInt64(next)) throw new CommandError(OVERFLOW);
  }
  c.db.set(key, typeof next === 'number' ? next : integerText(next), true);
  c.keyspace.notify(c.db, '$', 'incrby', key);
  c.reply.integer(next);
}

function incr(c: Ctx, argv: string[]): void {
  incrBy(c, argv[1], 1);
}

function decr(c: Ctx, argv: string[]): void {
  incrBy(c, argv[1], -1);
}

function incrby(c: Ctx, argv: string[]): void {
  incrBy(c, argv[1], integerArg(argv[2]));
}

function decrby(c: Ctx, argv: string[]): void {
  const by = integerArg(argv[2]);
  if (by === INT64_MIN) throw new CommandError('ERR decrement would overflow');
  incrBy(c, argv[1], typeof by === 'number' ? -by || 0 : -by);
}

const ZERO: LongDouble = { neg: false, mant: 0n, exp: 0 };
const NAN_OR_INFINITY = 'ERR increment would produce NaN or Infinity';

/**
 * In long double arithmetic with Redis's 17-decimal text, so replies match
 * digit for digit; propagated as SET key <result> KEEPTTL so that replicas
 * and the AOF never redo the float arithmetic.
 */
function incrbyfloat(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const old = writableBytes(c, key);
  const oldText = old === undefined ? null : shortText(old, MAX_LONG_DOUBLE_CHARS - 1);
  const cur = old === undefined ? ZERO : oldText === null ? null : parseLongDouble(oldText);
  if (cur === null) throw new CommandError(NOT_FLOAT);
  const by = parseLongDouble(argv[2]);
  if (by === null) throw new CommandError(NOT_FLOAT);
  if (typeof cur === 'string' || typeof by === 'string') throw new CommandError(NAN_OR_INFINITY);
  const sum = addLongDouble(cur, by);
  if (sum === null) throw new CommandError(NAN_OR_INFINITY);
  const text = formatLongDouble(sum);
  c.db.set(key, text, true);
  c.keyspace.notify(c.db, '$', 'incrbyfloat', key);
  if (c.propagating) c.propagateArgv = ['SET', key, text, 'KEEPTTL'];
  c.reply.bulk(text);
}

/** Every counter reads its key and writes it back. */
const COUNTER = {
  flags: ['write', 'denyoom', 'fast'], traits: ['keeps-no-argv'], keySpecs: ['RW access update: index 1, range 0'], acl: ['string'], group: 'string',
  complexity: 'O(1)',
} as const;

export const counterCommands: CommandSpec[] = [
  {
    ...COUNTER, name: 'incr', arity: 2, args: 'key:key', since: '1.0.0',
    summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    handler: incr,
  },
  {
    ...COUNTER, name: 'decr', arity: 2, args: 'key:key', since: '1.0.0',
    summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    handler: decr,
  },
  {
    ...COUNTER, name: 'incrby', arity: 3, args: 'key:key increment:integer', since: '1.0.0',
    summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    handler: incrby,
  },
  {
    ...COUNTER, name: 'decrby', arity: 3, args: 'key:key decrement:integer', since: '1.0.0',
    summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
    handler: decrby,
  },
  {
    ...COUNTER, name: 'incrbyfloat', arity: 3, args: 'key:key increment:double', since: '2.6.0',
    summary:
      "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    handler: incrbyfloat,
  },
];
