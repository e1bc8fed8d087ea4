import type { Ctx } from '../../core/context.js';
import { CommandError, WRONGTYPE } from '../../core/errors.js';
import { BYTES_FROM, MutableString } from '../../keyspace/mutable-string.js';
import { isString, type BytesValue, type Value } from '../../keyspace/value.js';
import { byteForm } from '../string/string-access.js';
import { DENSE, DENSE_SIZE, HEADER, NOT_HLL, SPARSE } from './hll-format.js';
import { HllBytes } from './hll-sparse.js';

function byteOf(v: BytesValue, i: number): number {
  return typeof v === 'string' ? v.charCodeAt(i) : v.byteAt(i);
}

/**
 * Redis's isHLLObjectOrReply: WRONGTYPE for another type, the HLL error
 * for a string that is not one (too short, no "HYLL", an unknown encoding,
 * a dense body of the wrong size). Reads only the header.
 */
export function hllOrFail(value: Value): BytesValue {
  if (!isString(value)) throw new CommandError(WRONGTYPE);
  const v = byteForm(value);
  const len = v.length;
  if (len < HEADER) throw new CommandError(NOT_HLL);
  // "HYLL", compared byte by byte: a string made of them cost an allocation per PFADD.
  const magic = byteOf(v, 0) === 72 && byteOf(v, 1) === 89 && byteOf(v, 2) === 76 && byteOf(v, 3) === 76;
  const encoding = byteOf(v, 4);
  if (!magic || encoding > SPARSE || (encoding === DENSE && len !== DENSE_SIZE)) throw new CommandError(NOT_HLL);
  return v;
}

/** A valid HLL's bytes to read: a view of a buffer, or a copy of a string. */
export function hllBytes(v: BytesValue): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v.view();
}

/**
 * An HLL a command may change (Redis's dbUnshareBytesValue): a dense one
 * is written where it is, in its MutableString's buffer; a sparse one is
 * edited in a copy that `save` turns back into a value.
 */
export interface OpenHll {
  key: string;
  before: BytesValue | undefined;
  target: MutableString | null;
  /** The buffer being written in place, or null when `h` is a copy. */
  inPlace: Buffer | null;
  h: HllBytes;
}

export function openHll(key: string, before: BytesValue): OpenHll {
  const target = typeof before === 'string' ? new MutableString(before) : before;
  if (target.length === DENSE_SIZE) {
    const buf = target.bytesInPlace();
    return { key, before, target, inPlace: buf, h: new HllBytes(buf, DENSE_SIZE) };
  }
  const copy = Buffer.from(target.view());
  return { key, before, target, inPlace: null, h: new HllBytes(copy, copy.length) };
}

export function newHll(key: string, h: HllBytes): OpenHll {
  return { key, before: undefined, target: null, inPlace: null, h };
}

function valueOf(o: OpenHll): MutableString {
  if (o.inPlace !== null && o.h.buf === o.inPlace) return o.target!;
  const bytes = o.h.bytes;
  return bytes.length >= BYTES_FROM ? MutableString.fromBytes(Buffer.from(bytes)) : new MutableString(bytes.latin1Slice(0, bytes.length));
}

/**
 * Stores the HLL after the command's writes. `changes` is what Redis adds
 * to its dirty counter; `signal` whether it signals the key (PFDEBUG's
 * conversions count a change without one). With no change the value
 * still takes its raw form quietly, as Redis's unsharing leaves it.
 */
export function saveHll(c: Ctx, o: OpenHll, changes: number, signal = true): void {
  const value = valueOf(o);
  if (changes > 0 && signal) {
    if (value === o.before) c.db.modified(o.key);
    else c.db.set(o.key, value, true);
    c.keyspace.dirty += changes - 1;
    return;
  }
  if (value !== o.before) {
    if (o.before === undefined) c.db.put(o.key, value, -1);
    // In place of the old value, its TTL kept, unseen by WATCH.
    else c.db.replaceForm(o.key, value);
  }
  c.keyspace.dirty += changes;
}
