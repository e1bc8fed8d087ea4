import type { LuaState } from '../state.js';
import { stringToNumber } from '../string-to-number.js';
import type { LuaResult, LuaValue } from '../value.js';
import { typeErrorArg } from './args.js';

/**
 * LuaBitOp 1.0 as Redis ships it (lua_bit.c, with the bit.tohex fix of
 * CVE-2024-31449). Arguments become 32-bit integers the way the C code
 * does it: the number plus 2^52 + 2^51 as a double, whose low 32 bits are
 * the integer rounded to nearest even, modulo 2^32. Results are signed.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function toBits(S: LuaState, v: LuaValue, n: number, argc: number): number {
  const num = typeof v === 'number' ? v : typeof v === 'string' ? stringToNumber(v) : undefined;
  f64[0] = (num ?? 0) + 6755399441055744.0;
  const b = u32[0];
  if (b === 0 && num === undefined) throw typeErrorArg(S, n, 'number', v, argc);
  return b;
}

export function openBit(S: LuaState): Record<string, LuaValue> {
  const fold = (op: (a: number, b: number) => number) =>
    function (...args: LuaValue[]): LuaResult {
      let b = toBits(S, args[0], 1, args.length);
      for (let i = args.length - 1; i >= 1; i--) b = op(b, toBits(S, args[i], i + 1, args.length));
      return b | 0;
    };
  const shift = (op: (b: number, n: number) => number) =>
    function (x: LuaValue, k: LuaValue): LuaResult {
      const argc = arguments.length;
      const b = toBits(S, x, 1, argc);
      const n = toBits(S, k, 2, argc) & 31;
      return op(b, n) | 0;
    };
  return {
    tobit(x: LuaValue): LuaResult {
      return toBits(S, x, 1, arguments.length) | 0;
    },
    bnot(x: LuaValue): LuaResult {
      return ~toBits(S, x, 1, arguments.length);
    },
    band: fold((a, b) => a & b),
    bor: fold((a, b) => a | b),
    bxor: fold((a, b) => a ^ b),
    lshift: shift((b, n) => b << n),
    rshift: shift((b, n) => b >>> n),
    arshift: shift((b, n) => (b | 0) >> n),
    rol: shift((b, n) => (b << n) | (b >>> (32 - n))),
    ror: shift((b, n) => (b << (32 - n)) | (b >>> n)),
    bswap(x: LuaValue): LuaResult {
      const b = toBits(S, x, 1, arguments.length);
      return ((b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)) | 0;
    },
    tohex(x: LuaValue, k: LuaValue): LuaResult {
      const argc = arguments.length;
      let b = toBits(S, x, 1, argc);
      let n = argc < 2 ? 8 : toBits(S, k, 2, argc) | 0;
      let digits = '0123456789abcdef';
      if (n === -2147483648) n = -2147483647;
      if (n < 0) {
        n = -n;
        digits = '0123456789ABCDEF';
      }
      if (n > 8) n = 8;
      let out = '';
      for (let i = 0; i < n; i++) {
        out = digits[b & 15] + out;
        b >>>= 4;
      }
      return out;
    },
  };
}
