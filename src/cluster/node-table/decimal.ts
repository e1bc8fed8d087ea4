/**
 * Numbers in nodes.conf are read only when they are plain decimal digits
 * within their range, where Redis's atoi/strtoull would take a prefix,
 * wrap or go negative.
 */

const DIGITS = /^[0-9]{1,20}$/;
const UINT64_MAX = (1n << 64n) - 1n;

/** A decimal in 0..max, or null. */
export function readDecimal(s: string, max: number): number | null {
  if (!DIGITS.test(s)) return null;
  const n = Number(s);
  return n <= max ? n : null;
}

/** An unsigned 64-bit decimal, or null. */
export function readUint64(s: string): bigint | null {
  if (!DIGITS.test(s)) return null;
  const n = BigInt(s);
  return n <= UINT64_MAX ? n : null;
}
