import { typeError } from './describe.js';
import { metamethod } from './metatables.js';
import type { Site } from './site.js';
import { MAX_C_CALLS, type LuaState } from './state.js';
import { settle } from './tail-calls.js';
import type { LuaFunction, LuaResult, LuaValue } from './value.js';

/**
 * A value called by compiled code that is not a function: its __call
 * metamethod, or "attempt to call ..." named as the call site names it.
 * (Compiled code makes calls inline; see compiler/expressions.ts.)
 */
export function callable(S: LuaState, f: LuaValue, site: Site): LuaFunction {
  if (typeof f === 'function') return f;
  const mm = metamethod(S, f, '__call');
  if (typeof mm === 'function') return (...args: LuaValue[]) => mm(f, ...args);
  const desc = site.what === undefined ? undefined : `${site.what} '${site.name}'`;
  throw S.errorAt(site, typeError('call', f, desc));
}

/** A metamethod called by an operation of Lua code at `site` (its caller is that Lua code). */
export function callMeta(S: LuaState, site: Site | null, f: LuaFunction, a: LuaValue, b: LuaValue): LuaResult {
  if (S.cCalls + 1 >= MAX_C_CALLS) throw S.errorAt(site, 'C stack overflow');
  S.site = site;
  S.cCalls++;
  try {
    return settle(S, f(a, b));
  } finally {
    S.cCalls--;
  }
}

export function callMeta3(S: LuaState, site: Site | null, f: LuaFunction, a: LuaValue, b: LuaValue, c: LuaValue): LuaResult {
  if (S.cCalls + 1 >= MAX_C_CALLS) throw S.errorAt(site, 'C stack overflow');
  S.site = site;
  S.cCalls++;
  try {
    return settle(S, f(a, b, c));
  } finally {
    S.cCalls--;
  }
}
