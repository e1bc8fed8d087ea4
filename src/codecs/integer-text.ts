const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^(?:0|-?[1-9][0-9]{0,19})$/;

/**
 * Redis's string2ll: an optional '-', digits without leading zeros, within
 * int64. Returns a bigint so values past 2^53 stay exact; null if invalid.
 */
export function toInt64(s: string): bigint | null {
  if (s.length > 20 || !DECIMAL.test(s)) return null;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? null : n;
}

/**
 * string2ll's fast path: a plain decimal of at most 15 digits (so exact as a
 * double), no leading zeros, optional '-'. NaN for anything else, including
 * valid longer integers, which callers then read with toInt64.
 */
export function smallInt(s: string): number {
  const len = s.length;
  if (len === 0 || len > 16) return NaN;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (len === 1) return NaN;
    neg = true;
    i = 1;
  }
  if (s.charCodeAt(i) === 48) return len === 1 ? 0 : NaN;
  if (len - i > 15) return NaN;
  let v = 0;
  for (; i < len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

export function isInt64(n: bigint): boolean {
  return n >= INT64_MIN && n <= INT64_MAX;
}
