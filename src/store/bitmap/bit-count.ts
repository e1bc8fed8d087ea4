import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import type { BytesValue } from '../../keyspace/value.js';
import { readBytes } from '../string/string-access.js';
import { byteAt, firstByteNot, popcount, scanBytes } from './bit-bytes.js';

/** BYTE (false) or BIT (true), the unit of a range. */
function unitArg(arg: string): boolean {
  const w = optionWord(arg);
  if (w === 'bit') return true;
  if (w === 'byte') return false;
  throw new CommandError(SYNTAX);
}

/** Redis clamps a range this way in both commands; `total` is in the range's unit. */
function clamp(start: number, end: number, total: number): [number, number] {
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  return [start, end];
}

/** Set bits among bits [lo, hi] of the value. */
function countBits(v: BytesValue, lo: number, hi: number): number {
  const first = Math.floor(lo / 8);
  const last = Math.floor(hi / 8);
  let count = 0;
  scanBytes(v, first, last + 1, (piece) => {
    count += popcount(piece);
    return false;
  });
  const before = byteAt(v, first) & ~(0xff >> (lo % 8)) & 0xff;
  const after = byteAt(v, last) & (0xff >> ((hi % 8) + 1));
  return count - popcount(Uint8Array.of(before, after));
}

/** BITCOUNT key [start end [BYTE|BIT]]: a missing key counts 0 before the range is even parsed. */
export function bitcount(c: Ctx, argv: string[]): void {
  const v = readBytes(c, argv[1]);
  if (v === undefined) {
    c.reply.integer(0);
    return;
  }
  const len = v.length;
  let lo: number;
  let hi: number;
  if (argv.length === 4 || argv.length === 5) {
    const start = intArg(argv[2]);
    const end = intArg(argv[3]);
    if (start < 0 && end < 0 && start > end) {
      c.reply.integer(0);
      return;
    }
    const isBit = argv.length === 5 && unitArg(argv[4]);
    const [s, e] = clamp(start, end, isBit ? len * 8 : len);
    if (s > e) {
      c.reply.integer(0);
      return;
    }
    [lo, hi] = isBit ? [s, e] : [s * 8, e * 8 + 7];
  } else if (argv.length === 2) {
    if (len === 0) {
      c.reply.integer(0);
      return;
    }
    [lo, hi] = [0, len * 8 - 1];
  } else {
    throw new CommandError(SYNTAX);
  }
  c.reply.integer(countBits(v, lo, hi));
}

/** The first bit equal to `bit` among bits [lo, hi], or -1. */
function findBit(v: BytesValue, bit: number, lo: number, hi: number): number {
  const want = (b: number) => (bit === 1 ? b : ~b & 0xff);
  const firstByte = Math.floor(lo / 8);
  const lastByte = Math.floor(hi / 8);
  const inByte = (at: number, from: number, to: number): number => {
    const b = want(byteAt(v, at));
    for (let k = from; k <= to; k++) if ((b & (0x80 >> k)) !== 0) return at * 8 + k;
    return -1;
  };
  if (firstByte === lastByte) return inByte(firstByte, lo % 8, hi % 8);
  const head = inByte(firstByte, lo % 8, 7);
  if (head !== -1) return head;
  let found = -1;
  scanBytes(v, firstByte + 1, lastByte, (piece, at) => {
    const i = firstByteNot(piece, bit === 1 ? 0 : 0xff);
    if (i !== -1) found = inByte(at + i, 0, 7);
    return i !== -1;
  });
  return found !== -1 ? found : inByte(lastByte, 0, hi % 8);
}

/**
 * BITPOS key bit [start [end [BYTE|BIT]]]. Looking for a clear bit without
 * an end, the string counts as followed by zeros: none in it answers the
 * first bit past it; with an end given, -1.
 */
export function bitpos(c: Ctx, argv: string[]): void {
  const bitArg = toInt64(argv[2]);
  if (bitArg === null) throw new CommandError('ERR value is not an integer or out of range');
  if (bitArg !== 0n && bitArg !== 1n) throw new CommandError('ERR The bit argument must be 1 or 0.');
  const bit = Number(bitArg);
  const v = readBytes(c, argv[1]);
  if (v === undefined) {
    c.reply.integer(bit === 1 ? -1 : 0);
    return;
  }
  const len = v.length;
  let s: number;
  let e: number;
  let isBit = false;
  let endGiven = false;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = intArg(argv[3]);
    if (argv.length === 6) isBit = unitArg(argv[5]);
    let end: number;
    if (argv.length >= 5) {
      end = intArg(argv[4]);
      endGiven = true;
    } else {
      end = isBit ? len * 8 + 7 : len - 1;
    }
    [s, e] = clamp(start, end, isBit ? len * 8 : len);
  } else if (argv.length === 3) {
    [s, e] = [0, len - 1];
  } else {
    throw new CommandError(SYNTAX);
  }
  if (s > e) {
    c.reply.integer(-1);
    return;
  }
  const [lo, hi] = isBit ? [s, e] : [s * 8, e * 8 + 7];
  const pos = findBit(v, bit, lo, hi);
  if (pos !== -1 || bit === 1 || endGiven) c.reply.integer(pos);
  else c.reply.integer(hi + 1);
}
