import { constants } from 'node:buffer';
import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { MutableString } from '../../keyspace/mutable-string.js';
import type { StringValue } from '../../keyspace/value.js';
import { mutableString, storeChanged, writableString } from '../string/string-access.js';

/**
 * A string a bit command writes into, made long enough for its highest
 * bit (Redis's lookupStringForBitCommand). Nothing is stored yet: a plain
 * string is wrapped in a MutableString that `commit` puts in its place
 * only if something changed, so a command that rewrites bits to the values
 * they had leaves the key exactly as it was (Redis's dbUnshareStringValue
 * copies it but counts nothing).
 */
export interface BitTarget {
  key: string;
  before: StringValue | undefined;
  value: MutableString;
  /** Created or lengthened: a change whatever the bits written (Redis's `dirty`). */
  grew: boolean;
}

/**
 * Redis bounds the offsets (bitOffsetArg), not the string: a field may end
 * a few bytes past proto-max-bulk-len. Only what V8 cannot hold as a string
 * is refused, with the error a string past the limit gets.
 */
function checkLength(length: number): void {
  if (length > constants.MAX_STRING_LENGTH) {
    throw new CommandError('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  }
}

export function bitTarget(c: Ctx, key: string, maxBit: number): BitTarget {
  const before = writableString(c, key);
  const length = Math.floor(maxBit / 8) + 1;
  checkLength(length);
  if (before === undefined) {
    return { key, before, value: MutableString.zeroed(length), grew: true };
  }
  const value = mutableString(before);
  const grew = length > value.length;
  if (grew) {
    value.setRange(length - 1, '\0');
  }
  return { key, before, value, grew };
}

/**
 * Stores the target after its writes. `changes` counts the writes that
 * changed something (or that went to a grown value), as Redis's dirty
 * counter does. With none, the value still takes its mutable form, without
 * a change counted, WATCH broken or an event: Redis's dbUnshareStringValue
 * leaves a raw string behind whatever the command then writes, and keeps
 * the padding a FAIL overflow did not fill.
 */
export function commit(c: Ctx, t: BitTarget, changes: number): void {
  if (changes > 0) {
    if (t.before === undefined) c.db.set(t.key, t.value);
    else storeChanged(c, t.key, t.before, t.value);
    c.keyspace.dirty += changes - 1;
  } else if (t.before === undefined) {
    c.db.put(t.key, t.value, -1);
  } else if (t.value !== t.before) {
    // In place of the plain string, its TTL kept, unseen by WATCH and the change counter.
    c.db.replaceForm(t.key, t.value);
  }
}

/** Writes `bytes` (each 0..255) at byte `at` of the target. */
export function writeBytes(t: BitTarget, at: number, bytes: number[]): void {
  t.value.setRange(at, String.fromCharCode(...bytes));
}
