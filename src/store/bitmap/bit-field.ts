import type { BytesValue } from '../../keyspace/value.js';
import { byteAt } from './bit-bytes.js';

/** Overflow policies of BITFIELD. */
export type Overflow = 'wrap' | 'sat' | 'fail';

const U64 = (1n << 64n) - 1n;

/** Reads a byte; 0 past the end. */
export type ByteReader = (i: number) => number;

/** The bytes spanning bits [offset, offset + bits) as one number, and where the field sits in it. */
function span(read: ByteReader, offset: number, bits: number): { first: number; count: number; acc: bigint; shift: bigint } {
  const first = Math.floor(offset / 8);
  const count = Math.floor((offset + bits - 1) / 8) - first + 1;
  let acc = 0n;
  for (let i = 0; i < count; i++) acc = (acc << 8n) | BigInt(read(first + i));
  return { first, count, acc, shift: BigInt(count * 8 - (offset % 8) - bits) };
}

/** The field's bits as an unsigned number (bit 0 of the string is the most significant bit of its first byte). */
export function getUnsigned(read: ByteReader, offset: number, bits: number): bigint {
  const s = span(read, offset, bits);
  return (s.acc >> s.shift) & ((1n << BigInt(bits)) - 1n);
}

export function getSigned(read: ByteReader, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(read, offset, bits));
}

/** The bytes to write at `first` so the field holds the low `bits` bits of `value`. */
export function fieldBytes(read: ByteReader, offset: number, bits: number, value: bigint): { first: number; bytes: number[] } {
  const s = span(read, offset, bits);
  const mask = ((1n << BigInt(bits)) - 1n) << s.shift;
  const acc = (s.acc & ~mask) | ((BigInt.asUintN(bits, value) << s.shift) & mask);
  const bytes = new Array<number>(s.count);
  for (let i = s.count - 1, a = acc; i >= 0; i--, a >>= 8n) bytes[i] = Number(a & 0xffn);
  return { first: s.first, bytes };
}

/**
 * The value an unsigned field of `bits` gets from `value + incr` (as
 * Redis's checkUnsignedBitfieldOverflow, in 64-bit arithmetic), or null
 * when it overflows under FAIL. SET checks its value with incr 0: a
 * negative one is a huge unsigned value, so overflows.
 */
export function unsignedResult(signedValue: bigint, incr: bigint, bits: number, overflow: Overflow): bigint | null {
  const value = BigInt.asUintN(64, signedValue);
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncr = BigInt.asIntN(64, max - value);
  const minIncr = BigInt.asIntN(64, -value);
  const high = value > max || (incr > 0n && incr > maxIncr);
  const low = !high && incr < 0n && incr < minIncr;
  if (!high && !low) return value + incr;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') return high ? max : 0n;
  return ((value + incr) & U64) & max;
}

/** As unsignedResult for a signed field (Redis's checkSignedBitfieldOverflow). */
export function signedResult(value: bigint, incr: bigint, bits: number, overflow: Overflow): bigint | null {
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncr = BigInt.asIntN(64, max - value);
  const minIncr = BigInt.asIntN(64, min - value);
  const wide = bits === 64;
  const high = value > max || (!wide && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr);
  const low = !high && (value < min || (!wide && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr));
  if (!high && !low) return value + incr;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') return high ? max : min;
  return BigInt.asIntN(bits, value + incr);
}

/** A reader over a string value's bytes; a missing key reads as zeros. */
export function readerOf(v: BytesValue | undefined): ByteReader {
  return v === undefined ? () => 0 : (i) => byteAt(v, i);
}
