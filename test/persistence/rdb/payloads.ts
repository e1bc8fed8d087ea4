import { crc64 } from '../../../src/codecs/crc64.js';

/** A DUMP payload around an RDB value: the value's bytes, the RDB version, the CRC-64 of both. */
export function payload(value: Buffer | string, version = 10): string {
  const body = Buffer.concat([typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Buffer.from([version & 0xff, version >> 8])]);
  return Buffer.concat([body, crc64(body)]).toString('latin1');
}

/** A payload whose footer is right for `value` as it is: what reaches the value parser after the checksum passes. */
export function withFooterOf(p: string, cut: number): string {
  return payload(Buffer.from(p, 'latin1').subarray(0, cut), Buffer.from(p, 'latin1').readUInt16LE(p.length - 10));
}

/** RDB type 0, the 5-byte string "hello". */
export const HELLO = payload('\x00\x05hello');
