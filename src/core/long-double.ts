/**
 * Redis does INCRBYFLOAT (and HINCRBYFLOAT) in C `long double`, which on
 * x86-64 is the x87 80-bit format: a 64-bit mantissa, exponents down to
 * 2^-16382 with subnormals below. Its replies show more digits than a JS
 * double holds (10.5 + 0.1 is "10.6" there, and 10.59999999999999964 with
 * doubles printed the same way), so this module emulates that format
 * exactly with bigints: glibc's correctly rounded strtold, the x87's
 * round-to-nearest-even addition, and printf's "%.17Lf".
 */

/** A finite value: (neg ? -1 : 1) * mant * 2^exp, mant < 2^64; zero has mant 0n. */
export interface LongDouble {
  neg: boolean;
  mant: bigint;
  exp: number;
}

/** What string2ld can yield: a finite value, an infinity, or null for an invalid string. */
export type ParsedLongDouble = LongDouble | 'inf' | '-inf' | null;

const MANT_BITS = 64;
/** Exponent of the least significant mantissa bit for the smallest subnormal. */
const MIN_EXP = -16382 - 63;
/** Values at or above 2^16384 overflow to infinity. */
const MAX_BITS = 16384;
/** Redis's MAX_LONG_DOUBLE_CHARS: strings this long or longer are not floats to it. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;
/** Decimal exponents beyond these are certainly out of range, spared a huge bigint. */
const MAX_DECIMAL_EXP = 4933;
const MIN_DECIMAL_EXP = -4952;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds the positive rational num/den * 2^shift to the nearest long double
 * (ties to even). Returns null on overflow; a zero mantissa on underflow.
 */
function round(neg: boolean, num: bigint, den: bigint, shift: number): LongDouble | null {
  let e = bitLength(num) - bitLength(den) + shift - MANT_BITS;
  if (e < MIN_EXP) e = MIN_EXP;
  for (;;) {
    // q = floor(num / den * 2^(shift - e)), r its remainder over d
    const s = shift - e;
    const n = s >= 0 ? num << BigInt(s) : num;
    const d = s >= 0 ? den : den << BigInt(-s);
    let q = n / d;
    const r = n - q * d;
    if (q >= 1n << 64n) {
      e++;
      continue;
    }
    if (q < 1n << 63n && e > MIN_EXP) {
      e--;
      continue;
    }
    const twice = r * 2n;
    if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
    if (q === 1n << 64n) {
      q = 1n << 63n;
      e++;
    }
    if (q !== 0n && e + bitLength(q) > MAX_BITS) return null;
    return { neg, mant: q, exp: e };
  }
}

/**
 * Redis's string2ld: the whole string must be a float to glibc's strtold
 * (decimal, hexadecimal or inf/infinity; no leading space, no trailing
 * garbage, so no NUL byte either); NaN, overflow and underflow to zero are
 * refused, and so is anything of 5 KiB or more.
 */
export function parseLongDouble(s: string): ParsedLongDouble {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const first = s.charCodeAt(0);
  if (first === 0x20 || (first >= 0x09 && first <= 0x0d)) return null;
  const inf = INFINITY.exec(s);
  if (inf !== null) return inf[1] === '-' ? '-inf' : 'inf';
  const hex = HEX.exec(s);
  if (hex !== null) return parseLiteral(hex, true);
  const dec = DECIMAL.exec(s);
  if (dec === null) return null;
  return parseLiteral(dec, false);
}

/**
 * A literal DECIMAL or HEX matched: sign, digits before and after the
 * point, and the written exponent (of 10, or of 2 for hexadecimal).
 * Underflow to zero is refused like overflow; a literal zero is zero.
 */
function parseLiteral(m: RegExpExecArray, hex: boolean): ParsedLongDouble {
  const neg = m[1] === '-';
  const int = m[2];
  const frac = m[3] ?? '';
  if (int.length === 0 && frac.length === 0) return null;
  const digits = (int + frac).replace(/^0+/, '');
  if (digits.length === 0) return { neg, mant: 0n, exp: 0 };
  const exponent = Number(m[4] ?? '0');
  const result = hex ? hexValue(neg, digits, exponent - 4 * frac.length) : decimalValue(neg, digits, exponent - frac.length);
  return result === null || result.mant === 0n ? null : result;
}

/** digits × 10^exp10, rounded; null beyond the range. */
function decimalValue(neg: boolean, digits: string, exp10: number): LongDouble | null {
  // The leading digit's decimal position bounds the magnitude.
  const magnitude = exp10 + digits.length;
  if (magnitude > MAX_DECIMAL_EXP || magnitude < MIN_DECIMAL_EXP) return null;
  const d = BigInt(digits);
  return exp10 >= 0 ? round(neg, d * 10n ** BigInt(exp10), 1n, 0) : round(neg, d, 10n ** BigInt(-exp10), 0);
}

/** hexadecimal digits × 2^exp2, rounded; null beyond the range. */
function hexValue(neg: boolean, digits: string, exp2: number): LongDouble | null {
  const magnitude = exp2 + 4 * digits.length;
  if (magnitude > MAX_BITS + 4 || magnitude < MIN_EXP - 4) return null;
  return round(neg, BigInt('0x' + digits), 1n, exp2);
}

/** a + b rounded as the x87 does; null when the sum overflows to infinity. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.mant === 0n) return b.mant === 0n ? { neg: a.neg && b.neg, mant: 0n, exp: 0 } : b;
  if (b.mant === 0n) return a;
  const exp = Math.min(a.exp, b.exp);
  const av = a.mant << BigInt(a.exp - exp);
  const bv = b.mant << BigInt(b.exp - exp);
  const sum = (a.neg ? -av : av) + (b.neg ? -bv : bv);
  if (sum === 0n) return { neg: false, mant: 0n, exp: 0 };
  return round(sum < 0n, sum < 0n ? -sum : sum, 1n, exp);
}

const FRACTION_DIGITS = 17;
const FRACTION_SCALE = 10n ** BigInt(FRACTION_DIGITS);

/**
 * Redis's human-friendly long double text (ld2string's LD_STR_HUMAN):
 * printf "%.17Lf", then trailing zeros (and a bare '.') removed, "-0" as "0".
 */
export function formatLongDouble(v: LongDouble): string {
  let scaled: bigint;
  if (v.exp >= 0) {
    scaled = (v.mant << BigInt(v.exp)) * FRACTION_SCALE;
  } else {
    const shift = BigInt(-v.exp);
    const n = v.mant * FRACTION_SCALE;
    scaled = n >> shift;
    const twice = (n - (scaled << shift)) * 2n;
    const unit = 1n << shift;
    if (twice > unit || (twice === unit && (scaled & 1n) === 1n)) scaled++;
  }
  const digits = scaled.toString().padStart(FRACTION_DIGITS + 1, '0');
  const cut = digits.length - FRACTION_DIGITS;
  const fraction = digits.slice(cut).replace(/0+$/, '');
  const text = fraction.length === 0 ? digits.slice(0, cut) : `${digits.slice(0, cut)}.${fraction}`;
  return v.neg && text !== '0' ? '-' + text : text;
}
