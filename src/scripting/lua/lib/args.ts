import type { LuaError } from '../errors.js';
import { numberToString } from '../number-format.js';
import type { LuaState } from '../state.js';
import { stringToNumber } from '../string-to-number.js';
import { LuaTable } from '../table.js';
import { typeName, type LuaValue } from '../value.js';

/**
 * The auxiliary library's argument checks (luaL_check*, luaL_opt*), with
 * its messages: "bad argument #1 to 'rep' (string expected, got no value)".
 * The function's name is the one it was called by (the call site's), as Lua
 * reports it; a method call does not count self, as luaL_argerror does.
 * `argc` is the number of arguments actually passed: a missing argument is
 * "no value", an explicit nil is "nil".
 */

export function argError(S: LuaState, n: number, msg: string): LuaError {
  const site = S.site;
  if (site !== null && site.what === 'method') {
    n--;
    if (n === 0) return S.error(`calling '${site.name}' on bad self (${msg})`);
  }
  const name = site === null || site.name === undefined ? '?' : site.name;
  return S.error(`bad argument #${n} to '${name}' (${msg})`);
}

export function typeErrorArg(S: LuaState, n: number, expected: string, v: LuaValue, argc: number): LuaError {
  return argError(S, n, `${expected} expected, got ${n > argc ? 'no value' : typeName(v)}`);
}

export function checkAny(S: LuaState, n: number, argc: number): void {
  if (n > argc) throw argError(S, n, 'value expected');
}

export function checkTable(S: LuaState, v: LuaValue, n: number, argc: number): LuaTable {
  if (v instanceof LuaTable) return v;
  throw typeErrorArg(S, n, 'table', v, argc);
}

/** luaL_checknumber: a number, or a string that reads as one. */
export function checkNumber(S: LuaState, v: LuaValue, n: number, argc: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const x = stringToNumber(v);
    if (x !== undefined) return x;
  }
  throw typeErrorArg(S, n, 'number', v, argc);
}


/** luaL_checkinteger: the number truncated towards zero (lua_Integer is 64-bit; out of range is C's undefined cast). */
export function checkInteger(S: LuaState, v: LuaValue, n: number, argc: number): number {
  return toInteger(checkNumber(S, v, n, argc));
}

export function toInteger(d: number): number {
  if (d !== d || d >= 9223372036854775808 || d < -9223372036854775808) return -9223372036854775808;
  return Math.trunc(d);
}

/** luaL_checkint: luaL_checkinteger cast to a C int (wrapping modulo 2^32). */
export function checkInt(S: LuaState, v: LuaValue, n: number, argc: number): number {
  return checkNumber(S, v, n, argc) | 0;
}

export function optInt(S: LuaState, v: LuaValue, n: number, argc: number, def: number): number {
  return v === undefined ? def : checkInt(S, v, n, argc);
}

export function optInteger(S: LuaState, v: LuaValue, n: number, argc: number, def: number): number {
  return v === undefined ? def : checkInteger(S, v, n, argc);
}

/** luaL_checklstring: a string, or a number converted as Lua converts it. */
export function checkString(S: LuaState, v: LuaValue, n: number, argc: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  throw typeErrorArg(S, n, 'string', v, argc);
}

export function optString(S: LuaState, v: LuaValue, n: number, argc: number, def: string): string {
  return v === undefined ? def : checkString(S, v, n, argc);
}

/** A string argument that may also be given as a number (lua_isstring), or undefined. */
export function asString(v: LuaValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return undefined;
}
