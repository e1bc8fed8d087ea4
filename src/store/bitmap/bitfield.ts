import type { Ctx } from '../../core/context.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { readBytes } from '../string/string-access.js';
import { bitOffsetArg, fieldTypeArg, type FieldType } from './bit-args.js';
import { fieldBytes, getSigned, getUnsigned, readerOf, signedResult, unsignedResult, type Overflow } from './bit-field.js';
import { bitTarget, commit, writeBytes } from './bit-write.js';

interface FieldOp extends FieldType {
  op: 'get' | 'set' | 'incrby';
  offset: number;
  /** SET's value or INCRBY's increment. */
  arg: bigint;
  overflow: Overflow;
}

/** Every operation parsed and checked before any runs, in Redis's order of errors. */
function parseOps(c: Ctx, argv: string[]): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const word = optionWord(argv[j]);
    let op: FieldOp['op'];
    if (word === 'get' && left >= 2) op = 'get';
    else if (word === 'set' && left >= 3) op = 'set';
    else if (word === 'incrby' && left >= 3) op = 'incrby';
    else if (word === 'overflow' && left >= 1) {
      const kind = optionWord(argv[++j]);
      if (kind !== 'wrap' && kind !== 'sat' && kind !== 'fail') throw new CommandError('ERR Invalid OVERFLOW type specified');
      overflow = kind;
      continue;
    } else {
      throw new CommandError(SYNTAX);
    }
    const type = fieldTypeArg(argv[j + 1]);
    const offset = bitOffsetArg(c, argv[j + 2], type.bits);
    let arg = 0n;
    if (op !== 'get') {
      const n = toInt64(argv[j + 3]);
      if (n === null) throw new CommandError(NOT_INTEGER);
      arg = n;
    }
    ops.push({ ...type, op, offset, arg, overflow });
    j += op === 'get' ? 2 : 3;
  }
  return ops;
}

function getField(read: (i: number) => number, op: FieldOp): bigint {
  return op.signed ? getSigned(read, op.offset, op.bits) : getUnsigned(read, op.offset, op.bits);
}

function readOnly(c: Ctx, key: string, ops: FieldOp[]): void {
  const read = readerOf(readBytes(c, key));
  c.reply.array(ops.length);
  for (const op of ops) c.reply.integer(getField(read, op));
}

/**
 * Runs the operations in order on the string, grown first to hold the
 * farthest field written; each write that changes bits (or lands in a
 * grown string) counts one change.
 */
function readWrite(c: Ctx, key: string, ops: FieldOp[]): void {
  let highest = 0;
  for (const op of ops) if (op.op !== 'get') highest = Math.max(highest, op.offset + op.bits - 1);
  const t = bitTarget(c, key, highest);
  const read = (i: number) => t.value.byteAt(i);
  let changes = 0;
  c.reply.array(ops.length);
  for (const op of ops) {
    const old = getField(read, op);
    if (op.op === 'get') {
      c.reply.integer(old);
      continue;
    }
    const check = op.signed ? signedResult : unsignedResult;
    const next = op.op === 'incrby' ? check(old, op.arg, op.bits, op.overflow) : check(op.arg, 0n, op.bits, op.overflow);
    if (next === null) {
      c.reply.nullBulk();
      continue;
    }
    c.reply.integer(op.op === 'incrby' ? next : old);
    const { first, bytes } = fieldBytes(read, op.offset, op.bits, next);
    writeBytes(t, first, bytes);
    if (t.grew || next !== old) changes++;
  }
  commit(c, t, changes);
  if (changes > 0) c.keyspace.notify(c.db, '$', 'setbit', key);
}

/** BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment | OVERFLOW WRAP|SAT|FAIL]... */
export function bitfield(c: Ctx, argv: string[]): void {
  const ops = parseOps(c, argv);
  if (ops.every((op) => op.op === 'get')) readOnly(c, argv[1], ops);
  else readWrite(c, argv[1], ops);
}

export function bitfieldRo(c: Ctx, argv: string[]): void {
  const ops = parseOps(c, argv);
  if (!ops.every((op) => op.op === 'get')) throw new CommandError('ERR BITFIELD_RO only supports the GET subcommand');
  readOnly(c, argv[1], ops);
}
