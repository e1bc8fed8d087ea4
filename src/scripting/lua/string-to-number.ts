/**
 * Lua 5.1's string-to-number conversion (luaO_str2d): glibc's strtod, then
 * only trailing whitespace may follow. So besides decimals it takes hex
 * integers and hex floats ("0x10", "0x1p4"), "inf", "infinity" and "nan" in
 * any case, and surrounding whitespace; a NUL ends the string, as C sees it.
 * This is what tonumber(), arithmetic on strings and the number arguments of
 * library functions use.
 */

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function startsWithWord(s: string, i: number, word: string): boolean {
  return s.slice(i, i + word.length).toLowerCase() === word;
}

/** strtod from `start`: the value and where parsing stopped; end === start when nothing was converted. */
export function strtod(s: string, start = 0): { value: number; end: number } {
  let i = start;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  const sign = (v: number): number => (neg ? -v : v);
  if (startsWithWord(s, i, 'inf')) {
    const end = startsWithWord(s, i, 'infinity') ? i + 8 : i + 3;
    return { value: sign(Infinity), end };
  }
  if (startsWithWord(s, i, 'nan')) {
    let end = i + 3;
    if (s.charCodeAt(end) === 40) {
      const close = /^\([0-9A-Za-z_]*\)/.exec(s.slice(end));
      if (close) end += close[0].length;
    }
    return { value: sign(NaN), end };
  }
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 0x20) === 120) {
    const hex = parseHexFloat(s, i + 2);
    if (hex !== null) return { value: sign(hex.value), end: hex.end };
    return { value: sign(0), end: i + 1 };
  }
  const first = i;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return { value: 0, end: start };
  let end = i;
  if ((s.charCodeAt(i) | 0x20) === 101) {
    let j = i + 1;
    const e = s.charCodeAt(j);
    if (e === 43 || e === 45) j++;
    if (isDigit(s.charCodeAt(j))) {
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      end = j;
    }
  }
  return { value: sign(Number(s.slice(first, end))), end };
}

/** The hex digits (with an optional point and binary exponent) after "0x"; null when there is no hex digit. */
function parseHexFloat(s: string, i: number): { value: number; end: number } | null {
  let mant = 0n;
  let digits = 0;
  let fracDigits = 0;
  let seenPoint = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && !seenPoint) {
      seenPoint = true;
      continue;
    }
    const v = hexValue(c);
    if (v < 0) break;
    mant = mant * 16n + BigInt(v);
    digits++;
    if (seenPoint) fracDigits++;
  }
  if (digits === 0) return null;
  let exp = 0;
  if ((s.charCodeAt(i) | 0x20) === 112) {
    let j = i + 1;
    let eneg = false;
    const e = s.charCodeAt(j);
    if (e === 43 || e === 45) {
      eneg = e === 45;
      j++;
    }
    if (isDigit(s.charCodeAt(j))) {
      let ev = 0;
      while (j < s.length && isDigit(s.charCodeAt(j))) {
        ev = Math.min(ev * 10 + (s.charCodeAt(j) - 48), 1e6);
        j++;
      }
      exp = eneg ? -ev : ev;
      i = j;
    }
  }
  return { value: scaleBinary(mant, exp - 4 * fracDigits), end: i };
}

/** mant * 2^exp, correctly rounded. */
function scaleBinary(mant: bigint, exp: number): number {
  if (mant === 0n) return 0;
  if (exp >= 0) return exp > 2000 ? Infinity : Number(mant << BigInt(exp));
  // Keep 64 extra bits below the unit of the result so the one rounding is Number()'s.
  const bits = mant.toString(2).length;
  const shift = -exp;
  if (bits - shift < -1100) return 0;
  const extra = 64;
  const scaled = (mant << BigInt(extra)) >> BigInt(shift);
  const sticky = (scaled << BigInt(shift)) !== mant << BigInt(extra) ? 1n : 0n;
  return Number(scaled | sticky) / 2 ** extra;
}

/** The common case, a short decimal integer ("42", "-7"), read directly; NaN for anything else. */
function plainInteger(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return NaN;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return s.charCodeAt(0) === 45 ? -v : v;
}

/** luaO_str2d: the number a string denotes in Lua 5.1, or undefined. */
export function stringToNumber(s: string): number | undefined {
  const fast = plainInteger(s);
  if (fast === fast) return fast;
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  const { value, end } = strtod(s);
  if (end === 0) return undefined;
  for (let i = end; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return undefined;
  return value;
}

const ULONG_MAX = 2n ** 64n - 1n;

/**
 * tonumber(s, base) for base != 10: C's strtoul (whitespace, a sign that
 * negates modulo 2^64, "0x" allowed in base 16, saturating at ULONG_MAX),
 * then only whitespace; undefined when no digit was read.
 */
export function stringToNumberInBase(s: string, base: number): number | undefined {
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  if (base === 16 && s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 0x20) === 120 && digitIn(s.charCodeAt(i + 2), 16) >= 0) {
    i += 2;
  }
  const start = i;
  let v = 0n;
  const b = BigInt(base);
  for (; i < s.length; i++) {
    const d = digitIn(s.charCodeAt(i), base);
    if (d < 0) break;
    if (v <= ULONG_MAX) v = v * b + BigInt(d);
  }
  if (i === start) return undefined;
  for (; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return undefined;
  if (v > ULONG_MAX) v = ULONG_MAX;
  else if (neg) v = (2n ** 64n - v) % 2n ** 64n;
  return Number(v);
}

function digitIn(c: number, base: number): number {
  let d: number;
  if (c >= 48 && c <= 57) d = c - 48;
  else {
    const l = c | 0x20;
    d = l >= 97 && l <= 122 ? l - 87 : -1;
  }
  return d >= 0 && d < base ? d : -1;
}
