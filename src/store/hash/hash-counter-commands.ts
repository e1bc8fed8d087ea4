import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, NOT_FLOAT, NOT_INTEGER, OVERFLOW } from '../../core/errors.js';
import { addLongDouble, formatLongDouble, parseLongDouble, type LongDouble } from '../../core/long-double.js';
import { integerText } from '../../core/numbers.js';
import { isInt64, smallInt, toInt64 } from '../../codecs/integer-text.js';
import { hashForFieldWrite, hashLimits, hashWritten } from './hash-access.js';

const NOT_INTEGER_VALUE = 'ERR hash value is not an integer';
const NOT_FLOAT_VALUE = 'ERR hash value is not a float';
const NAN_OR_INFINITY_ARG = 'ERR value is NaN or Infinity';
const NAN_OR_INFINITY = 'ERR increment would produce NaN or Infinity';
const ZERO: LongDouble = { neg: false, mant: 0n, exp: 0 };

/** An int64 as Redis's string2ll reads it: a number when small, a bigint otherwise, null if invalid. */
function parseInteger(s: string): number | bigint | null {
  const small = smallInt(s);
  return small === small ? small : toInt64(s);
}

/** HINCRBY: exact over the whole int64 range; the increment is read before the key, as in Redis. */
function hincrby(c: Ctx, argv: string[]): void {
  const by = parseInteger(argv[3]);
  if (by === null) throw new CommandError(NOT_INTEGER);
  const key = argv[1];
  const field = argv[2];
  const { hash, created, value: old } = hashForFieldWrite(c, key, field);
  const cur = old === undefined ? 0 : parseInteger(old);
  if (cur === null) throw new CommandError(NOT_INTEGER_VALUE);
  let next: number | bigint;
  // Below 10^15 in magnitude both operands and their sum are exact as doubles.
  if (typeof cur === 'number' && typeof by === 'number') {
    next = cur + by;
  } else {
    next = BigInt(cur) + BigInt(by);
    if (!isInt64(next)) throw new CommandError(OVERFLOW);
  }
  hash.set(field, integerText(next), hashLimits(c), true);
  hashWritten(c, key, hash, created, 'hincrby', 1);
  c.reply.integer(next);
}

/**
 * HINCRBYFLOAT, in long double arithmetic with Redis's 17-decimal text so
 * replies match digit for digit; propagated as HSET of the result, so that
 * the AOF never redoes the float arithmetic.
 */
function hincrbyfloat(c: Ctx, argv: string[]): void {
  const by = parseLongDouble(argv[3]);
  if (by === null) throw new CommandError(NOT_FLOAT);
  if (typeof by === 'string') throw new CommandError(NAN_OR_INFINITY_ARG);
  const key = argv[1];
  const field = argv[2];
  const { hash, created, value: old } = hashForFieldWrite(c, key, field);
  const cur = old === undefined ? ZERO : parseLongDouble(old);
  if (cur === null) throw new CommandError(NOT_FLOAT_VALUE);
  const sum = typeof cur === 'string' ? null : addLongDouble(cur, by);
  if (sum === null) throw new CommandError(NAN_OR_INFINITY);
  const text = formatLongDouble(sum);
  hash.set(field, text, hashLimits(c), true);
  hashWritten(c, key, hash, created, 'hincrbyfloat', 1);
  if (c.propagating) c.propagateArgv = ['HSET', key, field, text];
  c.reply.bulk(text);
}

const COUNTER = {
  arity: 4, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW access update: index 1, range 0'], acl: ['hash'],
  group: 'hash', complexity: 'O(1)',
} as const;

export const hashCounterCommands: CommandSpec[] = [
  {
    ...COUNTER, name: 'hincrby', args: 'key:key field increment:integer', since: '2.0.0',
    summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.",
    handler: hincrby,
  },
  {
    ...COUNTER, name: 'hincrbyfloat', args: 'key:key field increment:double', since: '2.6.0',
    summary: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.",
    handler: hincrbyfloat,
  },
];
