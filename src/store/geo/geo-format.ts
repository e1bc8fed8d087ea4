import type { Reply } from '../../protocol/reply.js';
import { encode, LON_RANGE, scorePoint, STEP_MAX, type Cell } from './geohash.js';

/**
 * printf's %.<digits>f (digits > 0) of a number or an infinity: its exact decimal value rounded to
 * `digits` places, a tie going to the even digit as glibc rounds
 * (toFixed would round it away from zero).
 */
export function printfFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a >= 1e21) return sign + BigInt(a).toString() + '.' + '0'.repeat(digits);
  const scaled = a * 2 ** (digits + 1);
  // A tie: the exact value ends in a 5 one place past the last digit kept.
  if (Number.isInteger(scaled) && scaled % 2 === 1) {
    const longer = a.toFixed(digits + 1);
    const down = longer.slice(0, -1);
    const lastDigit = down.charCodeAt(down.length - 1) - 48;
    return sign + (lastDigit % 2 === 0 ? down : a.toFixed(digits));
  }
  return sign + a.toFixed(digits);
}

/** Redis's human long double text (%.17Lf, trailing zeros and a bare point dropped, "-0" as "0"). */
export function humanDouble(x: number): string {
  let s = printfFixed(x, 17);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** A coordinate as Redis writes it: a bulk string in RESP2, a double in RESP3, both in human text. */
export function replyCoordinate(r: Reply, x: number): void {
  const text = humanDouble(x);
  if (r.proto === 2) r.bulk(text);
  else r.double(x, text);
}

/** A point as GEOPOS and WITHCOORD give it: [longitude, latitude]. */
export function replyPoint(r: Reply, lon: number, lat: number): void {
  r.array(2);
  replyCoordinate(r, lon);
  replyCoordinate(r, lat);
}

/**
 * A distance as Redis writes it (fixedpoint_d2string with 4 places): the
 * value times 10^4 rounded to an integer as llrint does (ties to even; NaN
 * giving the lowest int64), then split at the point.
 */
export function distanceText(d: number): string {
  if (d === 0) return '0.0000';
  let n: bigint;
  if (d !== d) {
    n = -(2n ** 63n);
  } else {
    const p = d * 10000;
    let r = Math.round(p);
    if (r - p === 0.5 && r % 2 !== 0) r -= 1;
    n = BigInt(r);
  }
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(5, '0');
  return (neg ? '-' : '') + digits.slice(0, -4) + '.' + digits.slice(-4);
}

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * The standard 11-character geohash of a member's point: re-encoded on the
 * whole -90..90 latitude range (Redis's own grid stops at ±85.05), 52 bits
 * in ten characters and a last one of zero bits.
 */
export function geohashText(score: number): string {
  const [lon, lat] = scorePoint(score);
  const cell: Cell = encode(lon, lat, STEP_MAX, LON_RANGE, { min: -90, max: 90 })!;
  const bits = spreadBig(cell.lat) | (spreadBig(cell.lon) << 1n);
  let s = '';
  for (let i = 0; i < 10; i++) s += BASE32[Number((bits >> BigInt(52 - (i + 1) * 5)) & 31n)];
  return s + BASE32[0];
}

function spreadBig(v: number): bigint {
  let out = 0n;
  for (let i = 0; v > 0; i++, v = Math.floor(v / 2)) if (v % 2 === 1) out |= 1n << BigInt(2 * i);
  return out;
}
