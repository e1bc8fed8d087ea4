import { orderError } from './describe.js';
import { callMeta } from './ops-call.js';
import type { Site } from './site.js';
import type { LuaState } from './state.js';
import { LuaTable } from './table.js';
import { first, truthy, typeName, type LuaValue } from './value.js';

/**
 * Comparisons (luaV_equalval, luaV_lessthan, lessequal): numbers and
 * strings (byte order) directly; values of one other type through
 * __eq/__lt/__le, which both operands must share; mixed types never equal
 * and cannot be ordered.
 */

/** a == b after the raw test failed: only two tables sharing an __eq can still be equal. */
function eqMeta(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): boolean {
  if (!(a instanceof LuaTable) || !(b instanceof LuaTable)) return false;
  const tm = sharedMetamethod(a.metatable, b.metatable, '__eq');
  return tm !== undefined && truthy(first(callMeta(S, site, tm, a, b)));
}

function sharedMetamethod(m1: LuaTable | null, m2: LuaTable | null, event: string) {
  if (m1 === null) return undefined;
  const tm1 = m1.getStr(event);
  if (typeof tm1 !== 'function') return undefined;
  if (m1 === m2) return tm1;
  if (m2 === null) return undefined;
  return m2.getStr(event) === tm1 ? tm1 : undefined;
}

/** call_orderTM: both operands' metamethod, if it is the same one; undefined otherwise. */
function orderMetamethod(S: LuaState, a: LuaValue, b: LuaValue, event: string) {
  const mta = a instanceof LuaTable ? a.metatable : typeof a === 'string' ? S.stringMeta : null;
  const mtb = b instanceof LuaTable ? b.metatable : typeof b === 'string' ? S.stringMeta : null;
  const tm1 = mta === null ? undefined : mta.getStr(event);
  if (tm1 === undefined) return undefined;
  const tm2 = mtb === null ? undefined : mtb.getStr(event);
  return tm1 === tm2 && typeof tm1 === 'function' ? tm1 : undefined;
}

function lessThanSlow(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): boolean {
  if (typeName(a) !== typeName(b)) throw S.errorAt(site, orderError(a, b));
  if (typeof a === 'string') return a < (b as string);
  const tm = orderMetamethod(S, a, b, '__lt');
  if (tm === undefined) throw S.errorAt(site, orderError(a, b));
  return truthy(first(callMeta(S, site, tm, a, b)));
}

function lessEqualSlow(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): boolean {
  if (typeName(a) !== typeName(b)) throw S.errorAt(site, orderError(a, b));
  if (typeof a === 'string') return a <= (b as string);
  let tm = orderMetamethod(S, a, b, '__le');
  if (tm !== undefined) return truthy(first(callMeta(S, site, tm, a, b)));
  tm = orderMetamethod(S, b, a, '__lt');
  if (tm !== undefined) return !truthy(first(callMeta(S, site, tm, b, a)));
  throw S.errorAt(site, orderError(a, b));
}

export function lt(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): boolean {
  return typeof a === 'number' && typeof b === 'number' ? a < b : lessThanSlow(S, a, b, site);
}

export function le(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): boolean {
  return typeof a === 'number' && typeof b === 'number' ? a <= b : lessEqualSlow(S, a, b, site);
}

/** a > b: Lua evaluates a then b and tests b < a (so errors name the operands in that order). */
export function gt(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): boolean {
  return typeof a === 'number' && typeof b === 'number' ? a > b : lessThanSlow(S, b, a, site);
}

export function ge(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): boolean {
  return typeof a === 'number' && typeof b === 'number' ? a >= b : lessEqualSlow(S, b, a, site);
}

export function eq(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): boolean {
  return a === b || (typeof a === 'object' && eqMeta(S, a, b, site));
}
