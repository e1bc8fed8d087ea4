import { typeError } from './describe.js';
import { metamethod } from './metatables.js';
import { callMeta } from './ops-call.js';
import type { Site } from './site.js';
import type { LuaState } from './state.js';
import { stringToNumber } from './string-to-number.js';
import { first, type LuaValue } from './value.js';

/**
 * Arithmetic as Lua 5.1 does it: numbers directly, strings converted as
 * tonumber would, then the operands' metamethods, else "attempt to perform
 * arithmetic on ...". The exported functions are the fast paths compiled
 * code calls; V8 inlines them.
 */

export const enum Op {
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Pow,
  Unm,
}

const EVENTS = ['__add', '__sub', '__mul', '__div', '__mod', '__pow', '__unm'];

/**
 * The NaN x86 produces for an invalid operation (0/0), whose sign bit is
 * set: Lua prints it "-nan". V8's library functions return a positive NaN
 * where glibc's return this one.
 */
export const INVALID_NAN = new Float64Array(new Uint32Array([0, 0xfff80000]).buffer)[0];

/** C's pow where it differs from Math.pow: 1^y and x^0 are 1, (-1)^±inf is 1, an invalid power is -nan. */
export function luaPow(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  const r = Math.pow(a, b);
  return r !== r && a === a && b === b ? INVALID_NAN : r;
}

/** luai_nummod: a - floor(a/b)*b (so the result takes the divisor's sign; x % 0 is nan). */
export function luaMod(a: number, b: number): number {
  return a - Math.floor(a / b) * b;
}

function compute(op: Op, a: number, b: number): number {
  switch (op) {
    case Op.Add:
      return a + b;
    case Op.Sub:
      return a - b;
    case Op.Mul:
      return a * b;
    case Op.Div:
      return a / b;
    case Op.Mod:
      return luaMod(a, b);
    case Op.Pow:
      return luaPow(a, b);
    default:
      return -a;
  }
}

/** A value as an arithmetic operand: a number, a string that reads as one, else undefined. */
function toArith(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v);
  return undefined;
}

export function arith(S: LuaState, op: Op, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  const na = toArith(a);
  const nb = toArith(b);
  if (na !== undefined && nb !== undefined) return compute(op, na, nb);
  const event = EVENTS[op];
  let tm = metamethod(S, a, event);
  if (tm === undefined) tm = metamethod(S, b, event);
  if (typeof tm === 'function') return first(callMeta(S, site, tm, a, b));
  if (na === undefined) throw S.errorAt(site, typeError('perform arithmetic on', a, site?.d1));
  throw S.errorAt(site, typeError('perform arithmetic on', b, site?.d2));
}

export function add(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? a + b : arith(S, Op.Add, a, b, site);
}

export function sub(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? a - b : arith(S, Op.Sub, a, b, site);
}

export function mul(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? a * b : arith(S, Op.Mul, a, b, site);
}

export function div(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? a / b : arith(S, Op.Div, a, b, site);
}

export function mod(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? luaMod(a, b) : arith(S, Op.Mod, a, b, site);
}

export function pow(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? luaPow(a, b) : arith(S, Op.Pow, a, b, site);
}

/** Unary minus: Lua passes the operand twice to __unm and names it in errors as the first. */
export function unm(S: LuaState, a: LuaValue, site: Site | null): LuaValue {
  return typeof a === 'number' ? -a : arith(S, Op.Unm, a, a, site);
}
