import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { readBytes } from '../string/string-access.js';
import { bitOffsetArg } from './bit-args.js';
import { byteAt } from './bit-bytes.js';
import { bitTarget, commit } from './bit-write.js';

const BAD_BIT = 'ERR bit is not an integer or out of range';

/** Bit 0 is the most significant bit of the first byte. */
function maskOf(offset: number): number {
  return 0x80 >> (offset % 8);
}

/** Replies with the bit's old value; a write to the same value changes nothing. */
export function setbit(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const offset = bitOffsetArg(c, argv[2]);
  // string2l accepts no other spelling of 0 or 1.
  if (argv[3] !== '0' && argv[3] !== '1') throw new CommandError(BAD_BIT);
  const on = argv[3] === '1';
  const t = bitTarget(c, key, offset);
  const at = Math.floor(offset / 8);
  const mask = maskOf(offset);
  const byte = t.value.byteAt(at);
  const was = (byte & mask) !== 0;
  if (t.grew || was !== on) {
    t.value.setByte(at, on ? byte | mask : byte & ~mask);
    commit(c, t, 1);
    c.keyspace.notify(c.db, '$', 'setbit', key);
  } else {
    commit(c, t, 0);
  }
  c.reply.integer(was ? 1 : 0);
}

export function getbit(c: Ctx, argv: string[]): void {
  const offset = bitOffsetArg(c, argv[2]);
  const v = readBytes(c, argv[1]);
  c.reply.integer(v !== undefined && (byteAt(v, Math.floor(offset / 8)) & maskOf(offset)) !== 0 ? 1 : 0);
}
