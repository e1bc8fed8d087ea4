import { INVALID_NAN, luaPow } from '../ops-arith.js';
import type { LuaState } from '../state.js';
import { NONE, type LuaResult, type LuaValue } from '../value.js';
import { argError, checkInt, checkNumber } from './args.js';
import { Rand48 } from './rand48.js';

/**
 * Lua 5.1's math library with Redis's math.random/randomseed (rand48, the
 * same sequence everywhere). min and max compare as C does, so a NaN
 * argument is kept only when it comes first.
 */

/** A double's bytes, to read and set its exponent. */
const BITS = new DataView(new ArrayBuffer(8));

/**
 * C's frexp: x = m * 2^e with 0.5 <= |m| < 1, read from the exponent bits
 * (a subnormal x first scaled into the normal range). Scaling by powers of
 * two in a loop overflows for the smallest subnormals.
 */
function frexp(x: number): [number, number] {
  if (x === 0 || x !== x || x === Infinity || x === -Infinity) return [x, 0];
  let shift = 0;
  if (Math.abs(x) < 2 ** -1022) {
    x *= 2 ** 64;
    shift = 64;
  }
  BITS.setFloat64(0, x);
  const high = BITS.getUint32(0);
  const e = ((high >>> 20) & 0x7ff) - 1022;
  // The exponent field of 0.5 (1022), keeping the sign and the mantissa.
  BITS.setUint32(0, (high & 0x800fffff) | (1022 << 20));
  return [BITS.getFloat64(0), e - shift];
}

/** C's ldexp: m * 2^e without overflowing or underflowing on the way. */
function ldexp(m: number, e: number): number {
  while (e > 1000) {
    m *= 2 ** 1000;
    e -= 1000;
    if (m === Infinity || m === -Infinity) return m;
  }
  while (e < -1000) {
    m *= 2 ** -1000;
    e += 1000;
    if (m === 0) return m;
  }
  return m * 2 ** e;
}

const RADIANS_PER_DEGREE = Math.PI / 180;
const INT32_MAX = 2147483647;

export function openMath(S: LuaState, rand: Rand48): Record<string, LuaValue> {
  const num1 = (f: (x: number) => number) =>
    function (x: LuaValue): LuaResult {
      return f(checkNumber(S, x, 1, arguments.length));
    };
  const fmod = function (a: LuaValue, b: LuaValue): LuaResult {
    const argc = arguments.length;
    const x = checkNumber(S, a, 1, argc);
    const y = checkNumber(S, b, 2, argc);
    return y === 0 && x === x ? INVALID_NAN : x % y;
  };
  return {
    pi: Math.PI,
    huge: Infinity,
    abs: num1(Math.abs),
    acos: num1(Math.acos),
    asin: num1(Math.asin),
    atan: num1(Math.atan),
    ceil: num1(Math.ceil),
    cos: num1(Math.cos),
    cosh: num1(Math.cosh),
    exp: num1(Math.exp),
    floor: num1(Math.floor),
    log: num1((x) => (x < 0 ? INVALID_NAN : Math.log(x))),
    log10: num1(Math.log10),
    sin: num1(Math.sin),
    sinh: num1(Math.sinh),
    sqrt: num1(Math.sqrt),
    tan: num1(Math.tan),
    tanh: num1(Math.tanh),
    deg: num1((x) => x / RADIANS_PER_DEGREE),
    rad: num1((x) => x * RADIANS_PER_DEGREE),
    atan2(y: LuaValue, x: LuaValue): LuaResult {
      const argc = arguments.length;
      return Math.atan2(checkNumber(S, y, 1, argc), checkNumber(S, x, 2, argc));
    },
    fmod,
    mod: fmod,
    pow(a: LuaValue, b: LuaValue): LuaResult {
      const argc = arguments.length;
      return luaPow(checkNumber(S, a, 1, argc), checkNumber(S, b, 2, argc));
    },
    modf(x: LuaValue): LuaResult {
      const v = checkNumber(S, x, 1, arguments.length);
      // As C's modf, the fractional part keeps the sign (modf(-3) is -3 and -0).
      const ip = v === Infinity || v === -Infinity ? v : Math.trunc(v);
      const frac = ip === v ? 0 : v - ip;
      return [ip, frac === 0 && (v < 0 || Object.is(v, -0)) ? -0 : frac];
    },
    frexp(x: LuaValue): LuaResult {
      return frexp(checkNumber(S, x, 1, arguments.length));
    },
    ldexp(m: LuaValue, e: LuaValue): LuaResult {
      const argc = arguments.length;
      return ldexp(checkNumber(S, m, 1, argc), checkInt(S, e, 2, argc));
    },
    min(...args: LuaValue[]): LuaResult {
      let best = checkNumber(S, args[0], 1, args.length);
      for (let i = 1; i < args.length; i++) {
        const d = checkNumber(S, args[i], i + 1, args.length);
        if (d < best) best = d;
      }
      return best;
    },
    max(...args: LuaValue[]): LuaResult {
      let best = checkNumber(S, args[0], 1, args.length);
      for (let i = 1; i < args.length; i++) {
        const d = checkNumber(S, args[i], i + 1, args.length);
        if (d > best) best = d;
      }
      return best;
    },
    random(...args: LuaValue[]): LuaResult {
      const r = (rand.next() % INT32_MAX) / INT32_MAX;
      switch (args.length) {
        case 0:
          return r;
        case 1: {
          const u = checkInt(S, args[0], 1, 1);
          if (u < 1) throw argError(S, 1, 'interval is empty');
          return Math.floor(r * u) + 1;
        }
        case 2: {
          const l = checkInt(S, args[0], 1, 2);
          const u = checkInt(S, args[1], 2, 2);
          if (l > u) throw argError(S, 2, 'interval is empty');
          // C computes u - l + 1 in int arithmetic.
          return Math.floor(r * ((u - l + 1) | 0)) + l;
        }
        default:
          throw S.error('wrong number of arguments');
      }
    },
    randomseed(seed: LuaValue): LuaResult {
      rand.seed(checkInt(S, seed, 1, arguments.length));
      return NONE;
    },
  };
}
