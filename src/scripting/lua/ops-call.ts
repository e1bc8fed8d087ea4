import { typeError } from './describe.js';
import { metamethod } from './metatables.js';
import type { Site } from './site.js';
import type { LuaState } from './state.js';
import type { LuaFunction, LuaResult, LuaValue } from './value.js';

/**
 * Calls as compiled code makes them. The site goes into the state just
 * before the call (after the arguments were evaluated), so the callee knows
 * the caller's line and by what name it was called. A value that is not a
 * function is called through its __call metamethod or raises "attempt to
 * call ...". Fixed arities avoid building argument arrays.
 */
export function callable(S: LuaState, f: LuaValue, site: Site): LuaFunction {
  if (typeof f === 'function') return f;
  const mm = metamethod(S, f, '__call');
  if (typeof mm === 'function') return (...args: LuaValue[]) => mm(f, ...args);
  const desc = site.what === undefined ? undefined : `${site.what} '${site.name}'`;
  throw S.errorAt(site, typeError('call', f, desc));
}

export function call0(S: LuaState, site: Site, f: LuaValue): LuaResult {
  const fn = typeof f === 'function' ? f : callable(S, f, site);
  S.site = site;
  return fn();
}

export function call1(S: LuaState, site: Site, f: LuaValue, a: LuaValue): LuaResult {
  const fn = typeof f === 'function' ? f : callable(S, f, site);
  S.site = site;
  return fn(a);
}

export function call2(S: LuaState, site: Site, f: LuaValue, a: LuaValue, b: LuaValue): LuaResult {
  const fn = typeof f === 'function' ? f : callable(S, f, site);
  S.site = site;
  return fn(a, b);
}

export function call3(S: LuaState, site: Site, f: LuaValue, a: LuaValue, b: LuaValue, c: LuaValue): LuaResult {
  const fn = typeof f === 'function' ? f : callable(S, f, site);
  S.site = site;
  return fn(a, b, c);
}

/** Any number of arguments, already in an array (more than three, or a trailing multi-value expression). */
export function callv(S: LuaState, site: Site, f: LuaValue, args: LuaValue[]): LuaResult {
  const fn = typeof f === 'function' ? f : callable(S, f, site);
  S.site = site;
  return fn.apply(undefined, args);
}

/**
 * A call made by the runtime or a library rather than by Lua code (a
 * metamethod, pcall's function, sort's comparator): the callee sees no
 * calling line, as Lua shows none for a function called from C, and the
 * caller's site is restored afterwards for its own error messages.
 */
export function callFromHost(S: LuaState, f: LuaFunction, args: LuaValue[]): LuaResult {
  const saved = S.site;
  S.site = null;
  try {
    return f.apply(undefined, args);
  } finally {
    S.site = saved;
  }
}

/** A metamethod called by an operation of Lua code at `site` (its caller is that Lua code). */
export function callMeta(S: LuaState, site: Site | null, f: LuaFunction, a: LuaValue, b: LuaValue): LuaResult {
  S.site = site;
  return f(a, b);
}

export function callMeta3(S: LuaState, site: Site | null, f: LuaFunction, a: LuaValue, b: LuaValue, c: LuaValue): LuaResult {
  S.site = site;
  return f(a, b, c);
}
