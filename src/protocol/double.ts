/** Doubles whose magnitude is at most this (LLONG_MAX/2 as a double) and integral print as integers. */
const INTEGER_LIMIT = 4611686018427387904;

/**
 * Formats a double as Redis 7.2 replies it (d2string): `nan`, `inf`/`-inf`,
 * `-0`, exact integer digits for integral values up to 2^62, and otherwise
 * the shortest digits that read back to the same value, laid out by
 * fpconv_dtoa's rules (which differ from both %.17g and JavaScript's).
 */
export function formatDouble(d: number): string {
  if (Number.isInteger(d) && d !== 0 && d >= -INTEGER_LIMIT && d <= INTEGER_LIMIT) {
    // String() would round digits past 2^53 to the shortest form ("…7000"); Redis prints them exactly.
    return Math.abs(d) <= Number.MAX_SAFE_INTEGER ? String(d) : BigInt(d).toString();
  }
  return shortestDouble(d);
}

/**
 * Redis's fpconv_dtoa: the shortest digits that read back to `d`, laid out
 * by fpconv's rules, integers included (1e10 is `1e+10`); `0`, `-0`, `inf`,
 * `-inf`, `nan`. What DEBUG DIGEST hashes a sorted set's scores as.
 */
export function shortestDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const sign = d < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits, as grisu does.
  const text = Math.abs(d).toExponential();
  const e = text.indexOf('e');
  const digits = text[0] + text.slice(2, e);
  const exponent = Number(text.slice(e + 1));
  return sign + layoutDigits(digits, exponent - (digits.length - 1));
}

/** fpconv's emit_digits: value = digits × 10^k; picks plain, decimal or exponent form. */
function layoutDigits(digits: string, k: number): string {
  const n = digits.length;
  const exp = Math.abs(k + n - 1);
  if (k >= 0 && exp < n + 7) return digits + '0'.repeat(k);
  if (k < 0 && (k > -7 || exp < 4)) {
    const point = n + k;
    if (point <= 0) return '0.' + '0'.repeat(-point) + digits;
    return digits.slice(0, point) + '.' + digits.slice(point);
  }
  const mantissa = n > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return `${mantissa}e${k + n - 1 < 0 ? '-' : '+'}${exp}`;
}
