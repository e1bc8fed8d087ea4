import { CommandError } from './errors.js';
import { parseLongDouble } from './long-double.js';
import { smallInt } from '../codecs/integer-text.js';

const INT64_MAX = 2n ** 63n - 1n;
const MANT_BITS = 64n;
const NOT_A_FLOAT = 'ERR timeout is not a float or out of range';
const NEGATIVE = 'ERR timeout is negative';
const OUT_OF_RANGE = 'ERR timeout is out of range';

function bitLength(n: bigint): bigint {
  return BigInt(n.toString(2).length);
}

/**
 * The timeout argument of BLPOP and the other blocking commands, read as
 * Redis's getTimeoutFromObjectOrReply does in seconds: a long double
 * (strtold syntax), times 1000 in long double arithmetic, rounded up to
 * whole milliseconds. Returns the absolute deadline in ms, or 0 to wait
 * forever. Sub-millisecond negatives round up to 0, as they do in Redis.
 */
export function blockingDeadline(arg: string, now: number): number {
  // The usual case, whole seconds, exactly and without bigints.
  const whole = smallInt(arg);
  if (whole === whole && whole < 2 ** 40) {
    if (whole < 0) throw new CommandError(NEGATIVE);
    return whole === 0 ? 0 : now + whole * 1000;
  }
  const v = parseLongDouble(arg);
  if (v === null) throw new CommandError(NOT_A_FLOAT);
  if (v === 'inf') throw new CommandError(OUT_OF_RANGE);
  if (v === '-inf') throw new CommandError(NEGATIVE);
  // v * 1000 rounded to a 64-bit mantissa (ties to even), as the x87 multiplies.
  let mant = v.mant * 1000n;
  let exp = BigInt(v.exp);
  const excess = bitLength(mant) - MANT_BITS;
  if (excess > 0n) {
    const rest = mant & ((1n << excess) - 1n);
    mant >>= excess;
    exp += excess;
    const half = 1n << (excess - 1n);
    if (rest > half || (rest === half && (mant & 1n) === 1n)) mant++;
  }
  // Compare with LLONG_MAX before rounding up, then ceil towards +infinity.
  if (!v.neg && (exp >= 0n ? mant << exp : mant) > (exp >= 0n ? INT64_MAX : INT64_MAX << -exp)) {
    throw new CommandError(OUT_OF_RANGE);
  }
  let ms: bigint;
  if (exp >= 0n) ms = mant << exp;
  else if (v.neg) ms = mant >> -exp;
  else ms = (mant + (1n << -exp) - 1n) >> -exp;
  if (v.neg) ms = -ms;
  if (ms < 0n) throw new CommandError(NEGATIVE);
  if (ms === 0n) return 0;
  if (ms > INT64_MAX - BigInt(now)) throw new CommandError(OUT_OF_RANGE);
  return now + Number(ms);
}
