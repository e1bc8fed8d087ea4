import type { Site } from './site.js';
import { MAX_CALL_DEPTH, type LuaState } from './state.js';
import { callTarget, pendingEntry, TAIL } from './tail-calls.js';
import { isLuaFunction, type LuaFunction, type LuaResult, type LuaValue } from './value.js';

/**
 * Coroutines run as generators. Every compiled Lua function has a twin: a
 * generator function with the same body, whose calls of Lua functions run
 * those functions' twins by `yield*` and whose calls of coroutine.yield
 * are `yield`s, so that a yield suspends every Lua frame between it and
 * the resume. Twins are compiled only when a coroutine first runs code of
 * the chunk (compile.ts); until then a script pays nothing for them.
 *
 * A Lua function called by a library function (pcall, table.sort, a
 * metamethod, a for iterator) runs as itself, not as its twin, and its
 * coroutine.yield is the library function's, which raises: what Lua 5.1
 * calls yielding across a C-call boundary.
 *
 * A function gives its twin when called right after the state's limit was
 * set to -1 (its prologue, compiler/functions.ts): the twin is made in the
 * function's own scope, so it shares the function's upvalues.
 */

export type Twin = (...args: LuaValue[]) => Generator<LuaValue[], LuaResult, LuaValue[]>;
type Step = Generator<LuaValue[], LuaResult, LuaValue[]>;

const twins = new WeakMap<LuaFunction, Twin | null>();

/** The twin of a Lua function, or null for anything else. */
export function twinOf(S: LuaState, f: LuaValue): Twin | null {
  if (typeof f !== 'function') return null;
  let t = twins.get(f);
  if (t === undefined) {
    t = null;
    if (isLuaFunction(f)) {
      S.limit = -1;
      try {
        t = f() as unknown as Twin;
      } finally {
        // Only a function of another state would have left it armed.
        S.limit = MAX_CALL_DEPTH;
      }
    }
    twins.set(f, t);
  }
  return t;
}

/** A call made by Lua code running as a twin: its results, its tail calls made. */
export function* gcall(S: LuaState, f: LuaValue, args: LuaValue[], site: Site): Step {
  const fn = callTarget(S, f, args, site);
  if (fn === S.yieldFn) return yield args;
  const t = twinOf(S, fn);
  const r = t !== null ? yield* t.apply(undefined, args) : fn.apply(undefined, args);
  return r === TAIL ? yield* gtramp(S) : r;
}

/**
 * `return f(...)` in a twin: a Lua function's call is always left to the
 * caller (gcall), since resuming a coroutine steps through every
 * generator of the chain; a library function runs on this frame.
 */
export function* gtail(S: LuaState, f: LuaValue, args: LuaValue[], site: Site, d: number): Step {
  const fn = callTarget(S, f, args, site);
  if (!isLuaFunction(fn)) return yield* gcall(S, fn, args, site);
  S.tf = fn;
  S.ta = args;
  S.ts = site;
  S.td = d;
  return TAIL;
}

/** trampoline() for twins. */
export function* gtramp(S: LuaState): Step {
  const j = S.depth;
  let r: LuaResult;
  do {
    const f = S.tf!;
    const args = S.ta;
    S.site = pendingEntry(S, j);
    r = yield* twinOf(S, f)!.apply(undefined, args);
  } while (r === TAIL);
  return r;
}
