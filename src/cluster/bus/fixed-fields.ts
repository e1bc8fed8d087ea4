import { NAME_LENGTH } from './layout.js';

/**
 * Text fields of fixed width: read as latin1, one char per byte, so that
 * whatever a peer sent reads back as the same bytes.
 */

/** A field of `width` bytes holding a NUL-terminated string; a field with no NUL is all string. */
export function readPaddedString(buf: Buffer, at: number, width: number): string {
  // Searched within the field only: a peer's bytes with no NUL must not make each field scan the rest of the message.
  const nul = buf.subarray(at, at + width).indexOf(0);
  return buf.latin1Slice(at, nul === -1 ? at + width : at + nul);
}

/** Writes `s` into a zero-filled field of `width` bytes; longer than the field is a caller's error. */
export function writePaddedString(buf: Buffer, at: number, width: number, s: string, what: string): void {
  if (s.length > width) throw new RangeError(`${what} is ${s.length} bytes, longer than its ${width}-byte field`);
  buf.latin1Write(s, at, s.length);
}

/** A node name: all 40 bytes, zeros included (an all-zero name means none). */
export function readName(buf: Buffer, at: number): string {
  return buf.latin1Slice(at, at + NAME_LENGTH);
}

export function writeName(buf: Buffer, at: number, name: string, what: string): void {
  if (name.length !== NAME_LENGTH) throw new RangeError(`${what} must be ${NAME_LENGTH} bytes, got ${name.length}`);
  buf.latin1Write(name, at, NAME_LENGTH);
}

/** CLUSTER_NODE_NULL_NAME: the slaveof of a master. */
export function isNullName(buf: Buffer, at: number): boolean {
  for (let i = at; i < at + NAME_LENGTH; i++) if (buf[i] !== 0) return false;
  return true;
}
