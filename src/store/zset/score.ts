import { dataStart, nextEntry, type Packed } from '../../keyspace/compact/packed.js';
import { CommandError, NOT_FLOAT } from '../../core/errors.js';
import { formatDouble } from '../../protocol/double.js';
import { strtod } from './strtod.js';

export const NAN_SCORE = 'ERR resulting score is not a number (NaN)';

/** Doubles within this (LLONG_MAX/2) that are integral are kept as integers in a listpack (Redis's double2ll). */
const LL_HALF = 4611686018427387904;

/**
 * A score argument as Redis's string2d reads it: all of it must be a
 * number strtod accepts (hexadecimal and inf included), with no leading
 * blank, not NaN, and not overflowing or underflowing to zero. Null when
 * it is not one.
 */
export function toScore(s: string): number | null {
  if (s.length === 0) return null;
  const fast = plainDecimal(s);
  if (fast === fast) return fast;
  const first = s.charCodeAt(0);
  if (first === 0x20 || (first >= 0x09 && first <= 0x0d)) return null;
  const r = strtod(s);
  if (r.end !== s.length || r.range || r.value !== r.value) return null;
  return r.value;
}

/** toScore, throwing Redis's error (or `message`) for what is not a score. */
export function scoreArg(s: string, message = NOT_FLOAT): number {
  const d = toScore(s);
  if (d === null) throw new CommandError(message);
  return d;
}

/**
 * The common shapes of a score, digits with at most one '-' and one '.',
 * then perhaps an exponent (redis-benchmark's random coordinates are
 * `000000123456e-6`), short enough that Number() reads it as strtod does;
 * NaN otherwise, for the full reader. A result strtod flags as out of
 * range (infinite, or zero from non-zero digits) goes to the full reader
 * too, which refuses it.
 */
function plainDecimal(s: string): number {
  const n = s.length;
  if (n > 20) return NaN;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return NaN;
  const negative = i === 1;
  let digits = 0;
  let nonZero = false;
  let dot = false;
  // A whole number's value, exact while it has at most 15 digits: Number() would read the string again.
  let whole = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      whole = whole * 10 + (c - 48);
      if (c !== 48) nonZero = true;
    } else if (c === 46 && !dot) {
      dot = true;
    } else if ((c | 0x20) === 101) {
      break;
    } else {
      return NaN;
    }
  }
  if (digits === 0) return NaN;
  if (i === n) {
    if (!dot && digits <= 15) return negative ? -whole : whole;
    return Number(s);
  }
  // The exponent: a sign, then at least one digit, then nothing else.
  i++;
  const sign = i < n ? s.charCodeAt(i) : 0;
  if (sign === 43 || sign === 45) i++;
  if (i === n) return NaN;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  const d = Number(s);
  return d === Infinity || d === -Infinity || (d === 0 && nonZero) ? NaN : d;
}

/** A score in a range argument (zslParseRange): strtod with nothing after the number, blanks before it and overflow allowed. */
export function rangeScore(s: string): number | null {
  const fast = plainDecimal(s);
  if (fast === fast) return fast;
  const r = strtod(s);
  // The C string ends at a NUL byte, so text after one is never looked at.
  if (r.end !== s.length && s.charCodeAt(r.end) !== 0) return null;
  return r.value !== r.value ? null : r.value;
}

/**
 * How a listpack keeps a score (zzlInsertAt): as an integer when double2ll
 * takes it (so -0 becomes 0), else as d2string's shortest round-trip text.
 */
export function packedScoreText(d: number): string {
  if (Number.isInteger(d) && d >= -LL_HALF && d <= LL_HALF) {
    return Math.abs(d) <= Number.MAX_SAFE_INTEGER ? String(d + 0) : BigInt(d).toString();
  }
  return formatDouble(d);
}

/**
 * The score entry at `pos` of a packed set, read where it lies: most
 * scores are integers (BullMQ's are), whose digits are summed in place
 * rather than cut out as a string and parsed (an insert reads every score
 * before it).
 */
export function packedScoreAt(p: Packed, pos: number): number {
  const start = dataStart(p, pos);
  const end = nextEntry(p, pos);
  let i = start;
  const neg = p.charCodeAt(i) === 45;
  if (neg) i++;
  if (end > i && end - i <= 15) {
    let v = 0;
    for (; i < end; i++) {
      const d = p.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === end) return neg ? -v : v;
  }
  return packedScore(p.slice(start, end));
}

/** A score read back from its packed text (zzlGetScore). */
export function packedScore(text: string): number {
  const c = text.charCodeAt(text.length - 1);
  // Only "inf" and "-inf" end in a letter other than a digit.
  if (c === 102) return text.charCodeAt(0) === 45 ? -Infinity : Infinity;
  return +text;
}

/**
 * A score as ZSCAN writes it for a skiplist-encoded set: C's "%.17Lg" of
 * the double, exact digits rounded half to even to 17 significant ones,
 * trailing zeros dropped, exponent form outside 1e-4 ≤ |d| < 1e17.
 */
export function scanScoreText(d: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const sign = d < 0 ? '-' : '';
  const { digits, exponent } = round17(Math.abs(d));
  const trimmed = digits.replace(/0+$/, '');
  if (exponent < -4 || exponent >= 17) {
    const mantissa = trimmed.length > 1 ? trimmed[0] + '.' + trimmed.slice(1) : trimmed;
    const e = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${trimmed}`;
  const whole = exponent + 1;
  if (trimmed.length <= whole) return sign + trimmed + '0'.repeat(whole - trimmed.length);
  return `${sign}${trimmed.slice(0, whole)}.${trimmed.slice(whole)}`;
}

/** A positive finite double's 17 significant digits (rounded half to even) and the decimal exponent of the first. */
function round17(d: number): { digits: string; exponent: number } {
  const { mantissa, exp2 } = decompose(d);
  // The exact value as an integer of decimal digits times 10^-scale.
  let digits: string;
  let scale = 0;
  if (exp2 >= 0) {
    digits = (mantissa << BigInt(exp2)).toString();
  } else {
    digits = (mantissa * 5n ** BigInt(-exp2)).toString();
    scale = -exp2;
  }
  const exponent = digits.length - 1 - scale;
  if (digits.length <= 17) return { digits: digits.padEnd(17, '0'), exponent };
  let head = BigInt(digits.slice(0, 17));
  const rest = digits.slice(17);
  const first = rest.charCodeAt(0) - 48;
  const beyond = /[1-9]/.test(rest.slice(1));
  if (first > 5 || (first === 5 && (beyond || (head & 1n) === 1n))) head++;
  const text = head.toString();
  // 99…9 rounded up to 10…0: one more digit, one more in the exponent.
  if (text.length > 17) return { digits: text.slice(0, 17), exponent: exponent + 1 };
  return { digits: text, exponent };
}

const view = new DataView(new ArrayBuffer(8));

/** d = mantissa × 2^exp2, exactly, for a positive finite d. */
function decompose(d: number): { mantissa: bigint; exp2: number } {
  view.setFloat64(0, d);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa: frac, exp2: -1074 };
  return { mantissa: frac | (1n << 52n), exp2: biased - 1075 };
}
