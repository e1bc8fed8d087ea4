/** What C's strtod read from the start of a string. */
export interface StrtodResult {
  value: number;
  /** Where reading stopped; 0 when nothing was converted (endptr == nptr). */
  end: number;
  /** ERANGE: the value overflowed to ±infinity, or a non-zero value underflowed to zero. */
  range: boolean;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?/;
const SPECIAL = /^([+-]?)(?:(infinity|inf)|(nan)(?:\([0-9A-Za-z_]*\))?)/i;

/**
 * glibc's strtod in the C locale, as Redis calls it on score arguments:
 * leading blanks skipped, an optional sign, then a decimal number, a
 * hexadecimal one (0x…, with a binary exponent p…), inf, infinity or
 * nan(…), the longest prefix that parses. Decimal digits round correctly
 * (Number() does what glibc does); hexadecimal ones are rounded here.
 */
export function strtod(s: string): StrtodResult {
  let i = 0;
  while (i < s.length && isBlank(s.charCodeAt(i))) i++;
  const rest = i === 0 ? s : s.slice(i);
  const special = SPECIAL.exec(rest);
  if (special !== null) {
    const negative = special[1] === '-';
    const value = special[2] !== undefined ? (negative ? -Infinity : Infinity) : NaN;
    return { value, end: i + special[0].length, range: false };
  }
  const hex = HEX.exec(rest);
  if (hex !== null && (hex[2].length > 0 || (hex[3] ?? '').length > 0)) {
    return hexValue(hex, i);
  }
  const dec = DECIMAL.exec(rest);
  if (dec === null) return { value: 0, end: 0, range: false };
  const text = dec[0];
  const value = Number(text);
  const mantissaNonZero = /[1-9]/.test(text.replace(/[eE].*$/, ''));
  const range = !Number.isFinite(value) || (value === 0 && mantissaNonZero);
  return { value, end: i + text.length, range };
}

function isBlank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * A hexadecimal float: mantissa digits × 2^(exponent − 4 × fraction
 * digits), rounded half to even into a double, subnormals included. A "p"
 * not followed by digits is not part of the number, as in C.
 */
function hexValue(m: RegExpExecArray, offset: number): StrtodResult {
  const [text, sign, intDigits, fracDigits = ''] = m;
  let exp2 = m[4] === undefined ? 0 : clampExponent(m[4]);
  const mantissa = BigInt('0x0' + intDigits + fracDigits);
  const negative = sign === '-';
  const end = offset + text.length;
  if (mantissa === 0n) return { value: negative ? -0 : 0, end, range: false };
  exp2 -= 4 * fracDigits.length;
  const bits = mantissa.toString(2).length;
  // The result's binary exponent, and how many significant bits a double keeps there.
  const top = bits - 1 + exp2;
  if (top > 1023) return { value: negative ? -Infinity : Infinity, end, range: true };
  const keep = top >= -1022 ? 53 : 53 - (-1022 - top);
  if (keep < 0) return { value: negative ? -0 : 0, end, range: true };
  const shift = bits - keep;
  let q = mantissa;
  if (shift > 0) {
    q = mantissa >> BigInt(shift);
    const rest = mantissa & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q++;
  }
  const scale = exp2 + Math.max(shift, 0);
  const magnitude = Number(q) * 2 ** scale;
  const value = negative ? -magnitude : magnitude;
  return { value, end, range: magnitude === Infinity || magnitude === 0 };
}

/** Exponents past any double's reach behave alike; this keeps the arithmetic small. */
function clampExponent(digits: string): number {
  const n = Number(digits);
  return Math.max(-100000, Math.min(100000, n));
}
