/**
 * C's printf conversions of doubles (%e, %f, %g), rounded as glibc rounds:
 * the exact binary value, ties to even. JavaScript's toExponential/toFixed
 * round the exact value too but break ties upwards, so a result whose next
 * digit is a 5 is redone exactly with BigInt.
 */

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

/** The sign bit, NaN's included (x86 makes 0/0 a negative NaN, which Lua prints as "-nan"). */
export function signBit(x: number): boolean {
  f64[0] = x;
  return (u8[7] & 0x80) !== 0;
}

/** The exact decimal expansion of a finite x >= 0: all its digits and how many of them are after the point. */
function exactDecimal(x: number): { digits: string; fracDigits: number } {
  f64[0] = x;
  const view = new DataView(f64.buffer);
  const hi = view.getUint32(4, true);
  const lo = view.getUint32(0, true);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (exp >= 0) return { digits: (mant << BigInt(exp)).toString(), fracDigits: 0 };
  return { digits: (mant * 5n ** BigInt(-exp)).toString(), fracDigits: -exp };
}

/** Rounds a digit string to keep `keep` leading digits, ties to even; returns the digits and whether a carry added one digit. */
function roundDigits(digits: string, keep: number): { digits: string; carry: boolean } {
  if (keep >= digits.length) return { digits: digits + '0'.repeat(keep - digits.length), carry: false };
  if (keep < 0) return { digits: '', carry: false };
  const head = digits.slice(0, keep);
  const next = digits.charCodeAt(keep) - 48;
  const rest = digits.slice(keep + 1);
  const restZero = !/[1-9]/.test(rest);
  const lastOdd = keep > 0 && (head.charCodeAt(keep - 1) - 48) % 2 === 1;
  const up = next > 5 || (next === 5 && (!restZero || lastOdd));
  if (!up) return { digits: head, carry: false };
  const bumped = (BigInt(head === '' ? '0' : head) + 1n).toString();
  if (head === '') return { digits: bumped, carry: true };
  const carry = bumped.length > head.length;
  return { digits: carry ? bumped : bumped.padStart(head.length, '0'), carry };
}

/** %e's digits: `prec + 1` significant digits of x >= 0 (finite) and the decimal exponent of the first. */
function expDigits(x: number, prec: number): { digits: string; exp: number } {
  if (x === 0) return { digits: '0'.repeat(prec + 1), exp: 0 };
  if (prec <= 99) {
    const probe = x.toExponential(prec + 1);
    if (probe.charCodeAt(probe.indexOf('e') - 1) !== 53) {
      const s = x.toExponential(prec);
      const k = s.indexOf('e');
      return { digits: s.slice(0, k).replace('.', ''), exp: Number(s.slice(k + 1)) };
    }
  }
  const { digits, fracDigits } = exactDecimal(x);
  const lead = digits.search(/[1-9]/);
  const sig = digits.slice(lead);
  let exp = digits.length - lead - 1 - fracDigits;
  const r = roundDigits(sig, prec + 1);
  let out = r.digits;
  if (r.carry) {
    exp++;
    out = out.slice(0, prec + 1);
  }
  return { digits: out, exp };
}

/** %f's digits: x >= 0 (finite) with `prec` digits after the point, as one digit string (integer part first). */
function fixedDigits(x: number, prec: number): string {
  if (x < 1e21 && prec <= 99) {
    const probe = x.toFixed(prec + 1);
    if (probe.charCodeAt(probe.length - 1) !== 53) return x.toFixed(prec).replace('.', '');
  }
  const { digits, fracDigits } = exactDecimal(x);
  const intLen = digits.length - fracDigits;
  const padded = intLen <= 0 ? '0'.repeat(1 - intLen) + digits : digits;
  const keep = Math.max(padded.length - fracDigits, 1) + prec;
  let out = roundDigits(padded, keep).digits;
  while (out.length > prec + 1 && out[0] === '0') out = out.slice(1);
  return out;
}

function withPoint(intPart: string, frac: string, alt: boolean): string {
  return frac.length > 0 || alt ? `${intPart}.${frac}` : intPart;
}

function expSuffix(exp: number, upper: boolean): string {
  const e = Math.abs(exp);
  return `${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

/**
 * One C conversion of a double without sign, width or padding: conv is
 * e, E, f, F, g or G; prec as given (C's default is 6); alt is the '#' flag.
 * Infinities and NaNs come out as inf/nan (INF/NAN for upper-case
 * conversions); the caller adds the sign.
 */
export function formatUnsigned(x: number, conv: string, prec: number, alt: boolean): string {
  const upper = conv === 'E' || conv === 'G' || conv === 'F';
  if (x !== x) return upper ? 'NAN' : 'nan';
  if (x === Infinity) return upper ? 'INF' : 'inf';
  switch (conv) {
    case 'e':
    case 'E': {
      const { digits, exp } = expDigits(x, prec);
      return withPoint(digits[0], digits.slice(1), alt) + expSuffix(exp, upper);
    }
    case 'f':
    case 'F': {
      const d = fixedDigits(x, prec);
      return withPoint(d.slice(0, d.length - prec), d.slice(d.length - prec), alt);
    }
    default: {
      const p = prec === 0 ? 1 : prec;
      const { digits, exp } = expDigits(x, p - 1);
      if (exp < -4 || exp >= p) {
        let frac = digits.slice(1);
        if (!alt) frac = frac.replace(/0+$/, '');
        return withPoint(digits[0], frac, alt) + expSuffix(exp, upper);
      }
      const d = fixedDigits(x, p - 1 - exp);
      const fracLen = p - 1 - exp;
      let frac = d.slice(d.length - fracLen);
      if (!alt) frac = frac.replace(/0+$/, '');
      return withPoint(d.slice(0, d.length - fracLen), frac, alt);
    }
  }
}

/** A double as C's "%.<prec><conv>" writes it, sign included. */
export function formatDouble(x: number, conv: string, prec: number, alt = false): string {
  const neg = signBit(x);
  const body = formatUnsigned(Math.abs(x), conv, prec, alt);
  return neg ? '-' + body : body;
}

/** 10^p for the precisions "%.<p>g" is asked for here (1 to 14), exact as doubles. */
export const POW10: readonly number[] = Array.from({ length: 15 }, (_, p) => 10 ** p);

/**
 * "%.<prec>g" (prec at most 14) of an x whose shortest decimal form
 * (String(x)) has at most `prec` significant digits and an exponent %g
 * writes without one (-4 to prec - 1): that form, since rounding x's exact
 * value to `prec` digits gives it back (the two differ by less than a
 * double's half ulp, far inside half a step of the prec-th digit); an
 * integer of at most `prec` digits is its digits (-0 is "-0"). Null for
 * anything else, which formatDouble works out digit by digit.
 */
export function shortG(x: number, prec: number): string | null {
  const bound = POW10[prec];
  if (Number.isInteger(x)) return x < bound && x > -bound ? (x === 0 && 1 / x < 0 ? '-0' : String(x)) : null;
  const a = x < 0 ? -x : x;
  if (!(a >= 1e-4 && a < bound)) return null;
  const s = String(x);
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 45 || c === 46 || (digits === 0 && c === 48)) continue;
    if (c === 101) return null;
    digits++;
  }
  return digits <= prec ? s : null;
}

/**
 * Lua 5.1's number to string: "%.14g" (LUAI_NUMFFORMAT). tostring(10/2) is
 * "5", 1e15 is "1e+15", -0 is "-0", 0/0 is "-nan" on x86 (as Redis prints it).
 */
export function numberToString(x: number): string {
  return shortG(x, 14) ?? formatDouble(x, 'g', 14);
}
