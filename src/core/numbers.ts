import { CommandError, NOT_FLOAT, NOT_INTEGER } from './errors.js';
import { smallInt, toInt64 } from '../codecs/integer-text.js';

const fromCharCode = String.fromCharCode;

/**
 * An integer's decimal text, made without V8's number-to-string cache.
 * String(n) files every result there (16,384 entries), so a stream of
 * distinct counter values keeps about 390 KB of young strings alive
 * through each scavenge and doubles its pause (INCR -P 16: 0.8 against
 * 0.4 ms a scavenge, which is what the slowest percent of replies waits
 * on). Below 2^31 the digits are peeled into locals and the string is made
 * by one String.fromCharCode call, the only allocation: joining two-digit
 * strings (the way before) made a string per join, three of them garbage
 * for a seven-digit counter, and toFixed(0) is a runtime call of about 60
 * ns that was 6% of INCR -P 16's profile. toFixed(0) writes the same
 * digits for any other safe integer.
 */
export function integerText(n: number | bigint): string {
  if (typeof n !== 'number') return String(n);
  const neg = n < 0;
  let m = neg ? -n : n;
  if (m > 0x7fffffff || (m | 0) !== m) return n.toFixed(0);
  // The digits as char codes, d0 the last; below 2^31 there are at most ten.
  let d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0, d8 = 0, d9 = 0;
  let count = 1;
  let q = (m / 10) | 0;
  const d0 = 48 + m - q * 10;
  if (q !== 0) { m = q; q = (m / 10) | 0; d1 = 48 + m - q * 10; count = 2; }
  if (q !== 0) { m = q; q = (m / 10) | 0; d2 = 48 + m - q * 10; count = 3; }
  if (q !== 0) { m = q; q = (m / 10) | 0; d3 = 48 + m - q * 10; count = 4; }
  if (q !== 0) { m = q; q = (m / 10) | 0; d4 = 48 + m - q * 10; count = 5; }
  if (q !== 0) { m = q; q = (m / 10) | 0; d5 = 48 + m - q * 10; count = 6; }
  if (q !== 0) { m = q; q = (m / 10) | 0; d6 = 48 + m - q * 10; count = 7; }
  if (q !== 0) { m = q; q = (m / 10) | 0; d7 = 48 + m - q * 10; count = 8; }
  if (q !== 0) { m = q; q = (m / 10) | 0; d8 = 48 + m - q * 10; count = 9; }
  if (q !== 0) { d9 = 48 + q; count = 10; }
  let text: string;
  switch (count) {
    case 1: text = fromCharCode(d0); break;
    case 2: text = fromCharCode(d1, d0); break;
    case 3: text = fromCharCode(d2, d1, d0); break;
    case 4: text = fromCharCode(d3, d2, d1, d0); break;
    case 5: text = fromCharCode(d4, d3, d2, d1, d0); break;
    case 6: text = fromCharCode(d5, d4, d3, d2, d1, d0); break;
    case 7: text = fromCharCode(d6, d5, d4, d3, d2, d1, d0); break;
    case 8: text = fromCharCode(d7, d6, d5, d4, d3, d2, d1, d0); break;
    case 9: text = fromCharCode(d8, d7, d6, d5, d4, d3, d2, d1, d0); break;
    default: text = fromCharCode(d9, d8, d7, d6, d5, d4, d3, d2, d1, d0);
  }
  return neg ? '-' + text : text;
}

/**
 * An int64 argument as a JS number (counts, indices, timeouts), throwing
 * Redis's "not an integer" error. Values past 2^53 lose precision, which no
 * such use can notice.
 */
export function intArg(s: string, message = NOT_INTEGER): number {
  const small = smallInt(s);
  if (small === small) return small;
  const n = toInt64(s);
  if (n === null) throw new CommandError(message);
  return Number(n);
}

/** Redis's string2ld/strtold checks for a float argument: no spaces, no NaN. */
export function floatArg(s: string, message = NOT_FLOAT): number {
  const d = toFloat(s);
  if (d === null) throw new CommandError(message);
  return d;
}

export function toFloat(s: string): number | null {
  if (s.length === 0 || s.length > 5120) return null;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (isSpaceCode(first) || isSpaceCode(last)) return null;
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(s)) return null;
  return Number(s);
}

function isSpaceCode(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
