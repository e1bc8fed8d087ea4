import { constants } from 'node:buffer';
import type { Ctx } from '../../core/context.js';
import { CommandError, WRONGTYPE } from '../../core/errors.js';
import { integerText } from '../../core/numbers.js';
import { MutableString } from '../../keyspace/mutable-string.js';
import { isString, type BytesValue, type StringValue, type Value } from '../../keyspace/value.js';

const TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';

/** A string value in a form that has bytes to read: a counter as its digits. */
export function byteForm(v: StringValue): BytesValue {
  return typeof v === 'number' ? integerText(v) : v;
}

/** The value as one byte string: a copy, O(n), for a long MutableString. */
export function stringText(v: StringValue): string {
  const bytes = byteForm(v);
  return typeof bytes === 'string' ? bytes : bytes.toString();
}

function stringOrFail(v: Value | undefined): StringValue | undefined {
  if (v === undefined || isString(v)) return v;
  throw new CommandError(WRONGTYPE);
}

/** The string at key for a read command (counts a hit or miss); undefined when absent. */
export function readString(c: Ctx, key: string): StringValue | undefined {
  return stringOrFail(c.db.read(key));
}

/** The string at key for a read of its bytes (BITCOUNT, GETRANGE…): a counter as its digits. */
export function readBytes(c: Ctx, key: string): BytesValue | undefined {
  const v = readString(c, key);
  return v === undefined ? undefined : byteForm(v);
}

/** The string at key for a write command (no hit/miss counted); undefined when absent. */
export function writableString(c: Ctx, key: string): StringValue | undefined {
  return stringOrFail(c.db.get(key));
}

/** The string at key for a write of its bytes (APPEND, SETRANGE…): a counter as its digits. */
export function writableBytes(c: Ctx, key: string): BytesValue | undefined {
  const v = writableString(c, key);
  return v === undefined ? undefined : byteForm(v);
}

/** Replies with the value's bytes, straight from its buffer when it has one. */
export function replyString(c: Ctx, v: StringValue): void {
  if (typeof v === 'string') c.reply.bulk(v);
  else if (typeof v === 'number') c.reply.bulk(integerText(v));
  else v.writeBulk(c.reply);
}

/**
 * The value as text for a parser that refuses anything longer than `max`
 * (null then), so that a long MutableString is not copied just to fail.
 */
export function shortText(v: BytesValue, max: number): string | null {
  return v.length > max ? null : stringText(v);
}

/**
 * What SET stores for `argv[i]`: the string, or, for a big bulk, the buffer
 * the request parser already copied its bytes into, so that the value's
 * first change in place (SETRANGE, APPEND, SETBIT) does not copy it all
 * into a buffer again, and the argument's string is not made unless the
 * command propagates (Ctx.argBytes).
 */
export function storedString(c: Ctx, argv: string[], i: number): StringValue {
  const big = c.argBytes(argv, i);
  return big === null ? argv[i] : MutableString.fromBytes(big.bytes, big.length);
}

/**
 * A value in the form that is modified in place (Redis's
 * dbUnshareStringValue): a MutableString as it is, a plain string wrapped
 * (storeChanged then puts the wrapper in its place).
 */
export function mutableString(v: StringValue): MutableString {
  return typeof v === 'object' ? v : new MutableString(typeof v === 'number' ? integerText(v) : v);
}

/**
 * Records an in-place change of the value at key: a value just made
 * mutable replaces the plain string (the TTL kept), one already mutable
 * was changed where it is.
 */
export function storeChanged(c: Ctx, key: string, before: StringValue, after: MutableString): void {
  if (after === before) c.db.modified(key);
  else c.db.set(key, after, true);
}

/**
 * Refuses a string that would grow past proto-max-bulk-len, as Redis does,
 * and past the longest string V8 can hold (Redis would accept that one),
 * so that every string value can still be turned into a JS string.
 */
export function checkStringLength(c: Ctx, total: number): void {
  if (total > c.config.num('proto-max-bulk-len') || total > constants.MAX_STRING_LENGTH) {
    throw new CommandError(TOO_BIG);
  }
}
